//! Tests of the whole loop: a `Session` driven in-process (`harness`) against a scripted
//! model over HTTP, one file per group of behaviours.

mod attempts;
mod context;
mod drafts;
mod harness;
mod repeats;
mod reproduce;
mod session_loop;
