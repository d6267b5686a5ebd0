use leptos::prelude::*;
use resocket::{codec::Json, leptos::use_socket, Socket};

#[component]
fn Room() -> impl IntoView {
    let (log, set_log) = signal(Vec::<Chat>::new());
    let ws = use_socket(
        Socket::builder("/chat?room=lobby").codec(Json::<Chat>::new()),
        move |item| if let Ok(chat) = item { set_log.update(|l| l.push(chat)) },
    );
    let hi = move |_| ws.sender.send(Chat { from: "ann".into(), text: "hi".into() });
    view! {
        <b>{move || ws.state.get().name()}</b> " retries " {ws.retry_count} " queued " {ws.queued_amount}
        <button on:click=hi>"Say hi"</button>
        <ul>{move || log.get().into_iter().map(|c| view! { <li>{c.from}": "{c.text}</li> }).collect_view()}</ul>
    }
}
