//! HTTP tests against the server started in-process on 127.0.0.1:0.

mod common;
mod control;
mod access;
mod failures;
mod limits;
mod protocol;
mod search;
mod static_files;
mod validation;
