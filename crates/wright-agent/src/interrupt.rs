//! The user's Ctrl-C or SIGTERM, as the run sees it: a flag every wait can race against,
//! and the kill of whatever sandboxed command is running when it is raised.

use tokio::sync::watch;
use wright_sandbox::Cancel;

#[derive(Clone)]
pub(crate) struct Interrupt(watch::Receiver<bool>);

impl Interrupt {
    pub fn new(rx: watch::Receiver<bool>) -> Self {
        Interrupt(rx)
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once the interrupt is raised; never, if it cannot be any more.
    pub async fn raised(&self) {
        let mut rx = self.0.clone();
        loop {
            if *rx.borrow_and_update() {
                return;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// From the interrupt on, `cancel` kills every sandboxed command it reaches.
    pub fn cancels(&self, cancel: Cancel) {
        let this = self.clone();
        tokio::spawn(async move {
            this.raised().await;
            cancel.cancel();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn raising_it_wakes_waiters_and_cancels_commands() {
        let (tx, rx) = watch::channel(false);
        let interrupt = Interrupt::new(rx);
        let cancel = Cancel::default();
        interrupt.cancels(cancel.clone());
        assert!(!interrupt.is_set());
        let waiter = tokio::spawn({
            let i = interrupt.clone();
            async move { i.raised().await }
        });
        tx.send(true).unwrap();
        waiter.await.unwrap();
        assert!(interrupt.is_set());
        for _ in 0..100 {
            if cancel.is_cancelled() {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the command's cancel was not raised");
    }
}
