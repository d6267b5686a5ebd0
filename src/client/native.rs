//! The client off wasm32 (a server rendering Leptos or Yew): the same names and signatures
//! as the browser's, so that one crate type-checks for both, but no socket can exist:
//! [`Builder::open`] fails with [`Error::Js`]`("no browser WebSocket on this target")`, and
//! every other type holds an [`Infallible`], so none of the methods below can ever run.
//! The documented API is the wasm32 one (docs.rs builds for wasm32).
#![allow(missing_docs)]

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;

use super::{Acked, Builder};
use crate::{Codec, ConnectionState, Error, Message, Raw, ReadyState, Stats};

/// The text of the error [`Builder::open`] gives off the browser.
pub(crate) const NO_BROWSER: &str = "no browser WebSocket on this target";

/// The browser's URL provider type, kept so that `Socket::builder_with_provider` exists.
pub(crate) type Provider = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, String>>>>>;

impl<C: Codec> Builder<C> {
    /// [`Builder::open`] once the configuration is valid: there is nothing to open.
    pub(super) fn start(self) -> Result<Socket<C>, Error> {
        let _ = (self.url, self.codec, self.delivery);
        Err(Error::Js(NO_BROWSER.into()))
    }
}

pub struct Socket<C: Codec = Raw> {
    never: Infallible,
    _codec: PhantomData<fn() -> C>,
}

impl<C: Codec> Socket<C> {
    pub fn send(&self, _: C::Out) -> SendFuture {
        match self.never {}
    }
    pub fn try_send(&self, _: C::Out) -> Result<(), Error> {
        match self.never {}
    }
    pub fn send_message(&self, _: Message) -> SendFuture {
        match self.never {}
    }
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, _: &T) -> SendFuture {
        match self.never {}
    }
    pub fn send_acked(&self, _: C::Out) -> AckFuture {
        match self.never {}
    }
    pub fn send_acked_within(&self, _: C::Out, _: Duration) -> AckFuture {
        match self.never {}
    }
    pub fn send_message_acked(&self, _: Message) -> AckFuture {
        match self.never {}
    }
    pub fn request(&self, _: C::Out) -> RequestFuture<C> {
        match self.never {}
    }
    pub fn request_within(&self, _: C::Out, _: Duration) -> RequestFuture<C> {
        match self.never {}
    }
    pub fn unacked(&self) -> usize {
        match self.never {}
    }
    pub fn unacked_bytes(&self) -> usize {
        match self.never {}
    }
    pub fn flush(&self) -> FlushFuture {
        match self.never {}
    }
    pub fn sender(&self) -> Sender<C> {
        match self.never {}
    }
    pub fn close(&self, _: u16, _: &str) -> Result<(), Error> {
        match self.never {}
    }
    pub fn reconnect(&self) -> Result<(), Error> {
        match self.never {}
    }
    pub fn state(&self) -> ConnectionState {
        match self.never {}
    }
    pub fn states(&self) -> StateStream {
        match self.never {}
    }
    pub fn ready_state(&self) -> ReadyState {
        match self.never {}
    }
    pub fn buffered_amount(&self) -> usize {
        match self.never {}
    }
    pub fn queued_amount(&self) -> usize {
        match self.never {}
    }
    pub fn protocol(&self) -> String {
        match self.never {}
    }
    pub fn url(&self) -> String {
        match self.never {}
    }
    pub fn retry_count(&self) -> u32 {
        match self.never {}
    }
    pub fn stats(&self) -> Stats {
        match self.never {}
    }
}

impl<C: Codec> futures_sink::Sink<C::Out> for Socket<C> {
    type Error = Error;
    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Error>> {
        match self.never {}
    }
    fn start_send(self: Pin<&mut Self>, _: C::Out) -> Result<(), Error> {
        match self.never {}
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Error>> {
        match self.never {}
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Error>> {
        match self.never {}
    }
}

impl<C: Codec> Stream for Socket<C> {
    type Item = Result<C::In, Error>;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.never {}
    }
}

pub struct Sender<C: Codec> {
    never: Infallible,
    _codec: PhantomData<fn() -> C>,
}

impl<C: Codec> Clone for Sender<C> {
    fn clone(&self) -> Self {
        match self.never {}
    }
}

impl<C: Codec> Sender<C> {
    pub fn send(&self, _: C::Out) -> SendFuture {
        match self.never {}
    }
    pub fn send_message(&self, _: Message) -> SendFuture {
        match self.never {}
    }
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, _: &T) -> SendFuture {
        match self.never {}
    }
    pub fn try_send(&self, _: C::Out) -> Result<(), Error> {
        match self.never {}
    }
    pub fn try_send_message(&self, _: Message) -> Result<(), Error> {
        match self.never {}
    }
    pub fn send_acked(&self, _: C::Out) -> AckFuture {
        match self.never {}
    }
    pub fn send_acked_within(&self, _: C::Out, _: Duration) -> AckFuture {
        match self.never {}
    }
    pub fn send_message_acked(&self, _: Message) -> AckFuture {
        match self.never {}
    }
    pub fn request(&self, _: C::Out) -> RequestFuture<C> {
        match self.never {}
    }
    pub fn request_within(&self, _: C::Out, _: Duration) -> RequestFuture<C> {
        match self.never {}
    }
    pub fn unacked(&self) -> usize {
        match self.never {}
    }
    pub fn flush(&self) -> FlushFuture {
        match self.never {}
    }
    pub fn close(&self, _: u16, _: &str) -> Result<(), Error> {
        match self.never {}
    }
}

#[must_use = "futures do nothing unless awaited"]
pub struct SendFuture(Infallible);

impl Future for SendFuture {
    type Output = Result<(), Error>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0 {}
    }
}

#[must_use = "futures do nothing unless awaited"]
pub struct FlushFuture(Infallible);

impl Future for FlushFuture {
    type Output = Result<(), Error>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0 {}
    }
}

#[must_use = "futures do nothing unless awaited"]
pub struct AckFuture(Infallible);

impl Future for AckFuture {
    type Output = Result<Acked, Error>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0 {}
    }
}

#[must_use = "futures do nothing unless awaited"]
pub struct RequestFuture<C: Codec> {
    never: Infallible,
    _codec: PhantomData<fn() -> C>,
}

impl<C: Codec> Future for RequestFuture<C> {
    type Output = Result<C::In, Error>;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        match self.never {}
    }
}

pub struct StateStream(Infallible);

impl StateStream {
    pub fn skipped(&self) -> u64 {
        match self.0 {}
    }
}

impl Stream for StateStream {
    type Item = ConnectionState;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.0 {}
    }
}
