//! The hooks' bridge off the browser (server-side rendering): nothing is opened, the hook
//! keeps its first render ([`INITIAL_STATE`](super::INITIAL_STATE), zero counts), and
//! `on_message` is never called. Fire-and-forget sends do nothing; the calls that return a
//! result fail with `Error::Js("no browser WebSocket on this target")`, the error
//! `Builder::open` gives off the browser. Same names and signatures as `crate::web::hook`.

use std::future::Future;
use std::marker::PhantomData;
use std::rc::Rc;

use super::{Glue, Handler};
use crate::client::NO_BROWSER;
use crate::{Acked, Builder, Codec, Error, Message, Sender, Stats};

fn unavailable() -> Error {
    Error::Js(NO_BROWSER.into())
}

/// What `Builder::open` gives a hook off the browser: nothing.
pub(crate) struct Opened<C: Codec>(PhantomData<fn() -> C>);

impl<C: Codec + 'static> Opened<C> {
    /// Drop the builder: there is no socket to open (the browser validates it).
    pub(crate) fn new(builder: Builder<C>) -> Self {
        drop(builder);
        Opened(PhantomData)
    }

    /// A bridge that never calls `glue`.
    pub(crate) fn bridge(self, glue: Rc<dyn Glue>) -> Rc<Bridge<C>> {
        drop(glue);
        Rc::new(Bridge(PhantomData))
    }
}

/// The hook's handles off the browser; see the module's docs.
pub(crate) struct Bridge<C: Codec>(PhantomData<fn() -> C>);

impl<C: Codec + 'static> Bridge<C> {
    /// Nothing arrives: the handler is dropped.
    pub(crate) fn set_handler(&self, handler: Handler<C>) {
        drop(handler);
    }

    pub(crate) fn stop(&self) {}

    pub(crate) fn reconnect(_: Option<&Rc<Self>>) -> Result<(), Error> {
        Err(unavailable())
    }

    /// The counters of a fresh socket, as the browser's first render has them.
    pub(crate) fn stats(_: Option<&Rc<Self>>) -> Option<Stats> {
        Some(Stats::default())
    }

    pub(crate) fn sender(_: Option<&Rc<Self>>) -> Option<Sender<C>> {
        None
    }

    pub(crate) fn send(_: Option<&Rc<Self>>, _: C::Out) {}

    pub(crate) fn send_message(_: Option<&Rc<Self>>, _: Message) {}

    #[cfg(feature = "json")]
    pub(crate) fn send_json<T: serde::Serialize + ?Sized>(_: Option<&Rc<Self>>, _: &T) {}

    pub(crate) fn send_async(
        _: Option<&Rc<Self>>,
        _: C::Out,
    ) -> impl Future<Output = Result<(), Error>> + 'static {
        std::future::ready(Err(unavailable()))
    }

    pub(crate) fn send_acked(
        _: Option<&Rc<Self>>,
        _: C::Out,
    ) -> impl Future<Output = Result<Acked, Error>> + 'static {
        std::future::ready(Err(unavailable()))
    }

    pub(crate) fn request(
        _: Option<&Rc<Self>>,
        _: C::Out,
    ) -> impl Future<Output = Result<C::In, Error>> + 'static {
        std::future::ready(Err(unavailable()))
    }

    pub(crate) fn try_send(_: Option<&Rc<Self>>, _: C::Out) -> Result<(), Error> {
        Err(unavailable())
    }

    pub(crate) fn flush(_: Option<&Rc<Self>>) -> impl Future<Output = Result<(), Error>> + 'static {
        std::future::ready(Err(unavailable()))
    }

    pub(crate) fn close(_: Option<&Rc<Self>>, _: u16, _: &str) -> Result<(), Error> {
        Err(unavailable())
    }
}
