//! A scripted netlink peer: a closure decides what each request gets back.
//! For protocol edge cases the simulated kernel does not produce
//! (truncated replies, wrong sequence numbers, garbage, silence).

use std::collections::VecDeque;
use std::time::Duration;

use crate::error::Error;
use crate::message::{split_datagram, NetlinkHeader};
use crate::transport::Transport;

/// A request as the scripted peer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The request header (its `seq` is what replies must echo).
    pub header: NetlinkHeader,
    /// The request payload.
    pub payload: Vec<u8>,
}

type Script = Box<dyn FnMut(&Request) -> Vec<Vec<u8>> + Send>;

/// A [`Transport`] whose replies come from a closure: for every request
/// message it returns the datagrams to deliver (in order). No datagram
/// queued means `recv` times out at once.
pub struct ScriptedPeer {
    script: Script,
    outbox: VecDeque<Vec<u8>>,
    /// Every request received.
    pub requests: Vec<Request>,
}

impl std::fmt::Debug for ScriptedPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedPeer")
            .field("pending", &self.outbox.len())
            .field("requests", &self.requests.len())
            .finish()
    }
}

impl ScriptedPeer {
    /// A peer answering with `script`.
    pub fn new(script: impl FnMut(&Request) -> Vec<Vec<u8>> + Send + 'static) -> Self {
        ScriptedPeer {
            script: Box::new(script),
            outbox: VecDeque::new(),
            requests: Vec::new(),
        }
    }

    /// Queues a datagram to be received before any reply.
    pub fn inject(&mut self, datagram: Vec<u8>) {
        self.outbox.push_back(datagram);
    }
}

impl Transport for ScriptedPeer {
    fn send(&mut self, datagram: &[u8]) -> Result<(), Error> {
        for m in split_datagram(datagram)? {
            let req = Request {
                header: m.header,
                payload: m.payload.to_vec(),
            };
            let replies = (self.script)(&req);
            self.outbox.extend(replies);
            self.requests.push(req);
        }
        Ok(())
    }

    fn recv(&mut self, _timeout: Duration) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.outbox.pop_front())
    }
}
