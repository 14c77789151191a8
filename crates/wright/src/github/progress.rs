//! The progress comment follows the run: a sink hands the run's events to a task that
//! edits the one comment in place, at most once every few seconds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use wright_agent::{Event, EventKind, EventSink, Redactor, StepStatus};
use wright_github::report::{AttemptNote, Progress, StepState};
use wright_github::rest::Client;

/// Shortest time between two edits of the comment while the run goes.
const EVERY: Duration = Duration::from_secs(3);

/// Passes the run's events on to [`follow`].
pub struct Sink(UnboundedSender<Event>);

impl EventSink for Sink {
    fn event(&mut self, event: &Event) {
        // The follower is gone only when the run is over; nothing is lost.
        let _ = self.0.send(event.clone());
    }
}

pub fn channel() -> (Sink, UnboundedReceiver<Event>) {
    let (tx, rx) = unbounded_channel();
    (Sink(tx), rx)
}

/// Edits comment `id` as the plan changes, until the run's events end; returns the
/// progress as it stood then. A failed edit is reported and the run goes on.
pub async fn follow(
    client: Arc<Client>,
    id: u64,
    mut progress: Progress,
    mut events: UnboundedReceiver<Event>,
    redactor: Redactor,
) -> Progress {
    let mut sent = Instant::now();
    let mut pending = false;
    loop {
        let wait = EVERY.saturating_sub(sent.elapsed());
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => pending |= apply(&mut progress, &event),
                None => break,
            },
            _ = tokio::time::sleep(wait), if pending => {}
        }
        if pending && sent.elapsed() >= EVERY {
            if let Err(e) = client.edit_comment(id, &redactor.text(&progress.render())).await {
                eprintln!("wright: could not update the progress comment: {e}");
            }
            sent = Instant::now();
            pending = false;
        }
    }
    progress
}

/// Takes in one event; true when the comment would change.
fn apply(progress: &mut Progress, event: &Event) -> bool {
    match &event.kind {
        EventKind::PlanUpdated { steps } => {
            progress.plan = steps
                .iter()
                .map(|s| {
                    let state = match s.status {
                        StepStatus::Pending => StepState::Pending,
                        StepStatus::InProgress => StepState::Doing,
                        StepStatus::Completed => StepState::Done,
                    };
                    (s.step.clone(), state)
                })
                .collect();
            true
        }
        // Kept for the result: an attempt that ends again (resumed) is told once, as it
        // ended last.
        EventKind::AttemptFinished { attempt, verdict, diff_lines, .. } => {
            let note =
                AttemptNote { attempt: *attempt, verdict: verdict.as_str().to_string(), diff_lines: *diff_lines };
            match progress.attempts.iter_mut().find(|a| a.attempt == *attempt) {
                Some(known) => *known = note,
                None => progress.attempts.push(note),
            }
            false
        }
        _ => false,
    }
}
