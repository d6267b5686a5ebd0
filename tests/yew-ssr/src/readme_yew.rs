use resocket::{codec::Json, yew::use_socket, Error, Socket};
use yew::prelude::*;

#[function_component]
fn Room() -> Html {
    let (log, redraw) = (use_mut_ref(Vec::<Chat>::new), use_force_update());
    let on_message = { let log = log.clone(); Callback::from(move |item: Result<Chat, Error>| {
        if let Ok(chat) = item { log.borrow_mut().push(chat); redraw.force_update() } }) };
    let ws = use_socket(|| Socket::builder("/chat?room=lobby").codec(Json::new()), on_message);
    let hi = { let s = ws.sender.clone();
        Callback::from(move |_| s.send(Chat { from: "ann".into(), text: "hi".into() })) };
    html! { <>
        <b>{ ws.state.name() }</b>{ format!(" retries {} queued {}", ws.retry_count, ws.queued_amount) }
        <button onclick={hi}>{ "Say hi" }</button>
        <ul>{ for log.borrow().iter().map(|c| html! { <li>{ format!("{}: {}", c.from, c.text) }</li> }) }</ul>
    </> }
}
