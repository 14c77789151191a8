//! Running the tool calls of one model reply, and what they mean for the run.

use wright_llm::{Message, ToolCall};

use crate::context::truncate;
use crate::dispatch::{Dispatched, TEXT_RESULT_PREFIX};
use crate::plan::FinishArgs;
use crate::repeats::RepeatGuard;
use crate::session::Session;
use crate::{EventKind, StopReason};

pub(crate) struct TurnEnd {
    pub finish: Option<FinishArgs>,
    pub stop: Option<(StopReason, String)>,
}

impl Session {
    /// Runs `calls` and answers each: as tool messages, or for calls written as text, as
    /// one user message. Several read-only calls run side by side; otherwise in order,
    /// stopping early at `finish` or when the model repeats itself.
    pub(crate) async fn run_calls(
        &mut self,
        calls: &[ToolCall],
        as_text: bool,
        skipped: usize,
        repeats: &mut RepeatGuard,
    ) -> TurnEnd {
        let mut text_results = String::new();
        let mut end = TurnEnd { finish: None, stop: None };
        let side_by_side = calls.len() > 1 && calls.iter().all(|c| self.toolbox.is_read_only(&c.name));
        if side_by_side {
            calls.iter().for_each(|c| self.announce(c));
            let answers = self.dispatch_read_only(calls).await;
            for (call, done) in calls.iter().zip(answers) {
                let stop = self.answer(call, done, as_text, repeats, &mut text_results, &mut end);
                end.stop = end.stop.or(stop);
            }
        } else {
            for call in calls {
                self.announce(call);
                let done = self.dispatch(call).await;
                end.stop = self.answer(call, done, as_text, repeats, &mut text_results, &mut end);
                if end.stop.is_some() {
                    break;
                }
            }
        }
        if skipped > 0 {
            text_results.push_str(&format!(
                "[only the first tool call was run; {skipped} more were ignored. Send one call per reply and wait for its result.]\n"
            ));
        }
        if as_text {
            self.remember(Message::User { content: text_results });
        }
        end
    }

    fn announce(&mut self, call: &ToolCall) {
        self.events.emit(EventKind::ToolCall {
            id: call.id.clone(),
            name: call.name.clone(),
            arguments: call.arguments.clone(),
        });
    }

    /// Records one call's answer for the model and the views; says why the run must stop,
    /// if it must.
    fn answer(
        &mut self,
        call: &ToolCall,
        done: Dispatched,
        as_text: bool,
        repeats: &mut RepeatGuard,
        text_results: &mut String,
        end: &mut TurnEnd,
    ) -> Option<(StopReason, String)> {
        let mut output = truncate(&done.output, self.config.tool_output_limit);
        let mut stop = repeats.review(call, done.ok, done.committed, &mut output);
        self.events.emit(EventKind::ToolResult {
            id: call.id.clone(),
            name: call.name.clone(),
            ok: done.ok,
            output: output.clone(),
        });
        let quoted = crate::quote::quote(&call.name, &output);
        if as_text {
            text_results.push_str(&format!("{TEXT_RESULT_PREFIX} {}]\n{quoted}\n", call.name));
        } else {
            self.remember(Message::Tool { tool_call_id: call.id.clone(), content: quoted });
        }
        if let Some(f) = done.finish {
            stop = stop.or(Some((
                StopReason::Finished,
                format!("the model finished: {}", f.outcome.map_or("no outcome given", |o| o.as_str())),
            )));
            end.finish = Some(f);
        }
        stop
    }
}
