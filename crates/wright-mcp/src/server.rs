//! One server for the length of a run: its connection, one restart when it stops, and
//! withdrawal when it stops again. Its calls run one at a time, in the order made.

use std::time::Duration;

use rmcp::ServiceError;
use rmcp::model::{CallToolRequest, CallToolRequestParams, CancelledNotificationParam, ClientRequest, ServerResult};
use rmcp::service::PeerRequestOptions;
use serde_json::Value;
use tokio::sync::Mutex;
use wright_sandbox::Cancel;
use wright_tools::ToolError;

use crate::clean::{NOTE_CHARS, clean_text};
use crate::connect::{Connection, Place, connect};
use crate::{ServerSpec, render};

enum Link {
    Up(Box<Connection>),
    /// Stopped after its one restart, or could not restart: why.
    Withdrawn(String),
}

struct State {
    link: Link,
    restarted: bool,
}

/// A started server.
pub struct Server {
    pub(crate) spec: ServerSpec,
    place: Place,
    state: Mutex<State>,
}

/// How a call ended, besides its text.
pub(crate) enum Answer {
    Done(String),
    /// The call was made and failed (the tool's error, a timeout, the server stopping):
    /// what it changed before is still the run's to commit.
    Failed(String),
    /// The run was interrupted while it waited.
    Interrupted,
}

impl Server {
    pub(crate) fn new(spec: ServerSpec, place: Place, connection: Connection) -> Self {
        Server { spec, place, state: Mutex::new(State { link: Link::Up(Box::new(connection)), restarted: false }) }
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Calls `tool` with `args` within `limit` (the tool timeout, or less when the run's
    /// time is shorter); a server that stopped is restarted once, then withdrawn.
    pub(crate) async fn call(
        &self,
        tool: &str,
        args: Value,
        limit: Duration,
        cancel: &Cancel,
    ) -> Result<Answer, ToolError> {
        let arguments = match args {
            Value::Object(map) => map,
            Value::Null => Default::default(),
            other => {
                let message = format!("the arguments are {other}, not a JSON object");
                return Err(ToolError::InvalidArgs { tool: tool.to_string(), message });
            }
        };
        let mut state = self.state.lock().await;
        // A server that stopped between calls is restarted before this one.
        if let Link::Up(connection) = &mut state.link
            && !connection.is_up()
        {
            let why = connection.why_down();
            self.restart(&mut state, &why).await?;
        }
        let connection = match &mut state.link {
            Link::Up(connection) => connection,
            Link::Withdrawn(why) => return Err(self.withdrawn(why)),
        };
        let params = CallToolRequestParams::new(tool.to_string()).with_arguments(arguments);
        let request = ClientRequest::from(CallToolRequest::new(params));
        // On timeout, rmcp tells the server the call is cancelled.
        let options = PeerRequestOptions::with_timeout(limit);
        let answered = match connection.service.send_request_with_option(request, options).await {
            Err(e) => Err(e),
            Ok(handle) => {
                let id = handle.id.clone();
                tokio::select! {
                    answered = handle.await_response() => answered,
                    () = cancelled(cancel) => {
                        // Told, so it stops changing the worktree once the run has moved on.
                        let why = Some("the user interrupted the run".to_string());
                        let _ = connection.service.notify_cancelled(CancelledNotificationParam::new(Some(id), why)).await;
                        return Ok(Answer::Interrupted);
                    }
                }
            }
        };
        let failure = match answered {
            Ok(ServerResult::CallToolResult(result)) => {
                let wire = serde_json::to_value(&result).unwrap_or_default();
                return Ok(render::render(&wire).map_or_else(Answer::Failed, Answer::Done));
            }
            Ok(_) => ServiceError::UnexpectedResponse,
            Err(ServiceError::Timeout { .. }) => {
                return Ok(Answer::Failed(format!(
                    "`{tool}` of the MCP server `{}` did not answer within {} s; the call was abandoned and the server told to cancel it",
                    self.spec.name,
                    limit.as_secs()
                )));
            }
            // Refused as a request: nothing ran.
            Err(ServiceError::McpError(e)) => {
                let message = clean_text(&e.message, NOTE_CHARS);
                return Err(ToolError::Failed(format!(
                    "the MCP server `{}` refused the call: {message}",
                    self.spec.name
                )));
            }
            Err(other) => other,
        };
        // A closed pipe is a server process that stopped, whether or not its exit is seen
        // yet; over HTTP, one failed request is only that.
        let piped = connection.process.is_some();
        let closed = piped && matches!(failure, ServiceError::TransportClosed | ServiceError::TransportSend(_));
        if !closed && connection.is_up() {
            return Ok(Answer::Failed(format!("the call to the MCP server `{}` failed: {failure}", self.spec.name)));
        }
        connection.settle().await;
        let why = connection.why_down();
        let after = match self.restart(&mut state, &why).await {
            Ok(restarted) => restarted.to_string(),
            Err(withdrawn) => withdrawn.to_string(),
        };
        Ok(Answer::Failed(format!(
            "the MCP server `{}` stopped during the call ({why}); {after}. Whether the call took effect is unknown: look before calling it again",
            self.spec.name
        )))
    }

    /// Restarts a server that stopped, once; the second time it is withdrawn and the
    /// error says so.
    async fn restart(&self, state: &mut State, why: &str) -> Result<&'static str, ToolError> {
        if state.restarted {
            state.link = Link::Withdrawn(format!("it stopped again: {why}"));
        } else {
            state.restarted = true;
            match connect(&self.spec, &self.place).await {
                Ok(connection) => {
                    state.link = Link::Up(Box::new(connection));
                    return Ok("wright restarted it");
                }
                Err(e) => state.link = Link::Withdrawn(format!("it stopped ({why}) and did not restart: {e}")),
            }
        }
        match &state.link {
            Link::Withdrawn(why) => Err(self.withdrawn(why)),
            Link::Up(_) => Ok("wright restarted it"),
        }
    }

    fn withdrawn(&self, why: &str) -> ToolError {
        ToolError::Failed(format!(
            "the MCP server `{}` is withdrawn ({why}); its tools are gone for this run: do the work with the other tools",
            self.spec.name
        ))
    }
}

/// Resolves when `cancel` is cancelled.
pub(crate) async fn cancelled(cancel: &Cancel) {
    while !cancel.is_cancelled() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
