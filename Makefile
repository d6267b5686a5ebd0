# resocket — the README's commands. Each installs what it needs on a fresh machine.
.PHONY: test demo pkg bench examples server clean soak

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh --port $${PORT:-8080}

pkg:
	bash scripts/pkg.sh

bench:
	bash scripts/bench.sh

soak:
	bash scripts/soak.sh

examples:
	bash scripts/examples.sh

server:
	cargo run -p resocket-test-server -- --port $${PORT:-8080} --www www

clean:
	cargo clean
	rm -rf pkg www/pkg examples/leptos-chat/dist examples/yew-chat/dist examples/leptos-ssr/dist
