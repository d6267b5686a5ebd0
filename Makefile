# resocket — the README's commands. Each installs what it needs on a fresh machine.
.PHONY: test demo pkg bench server clean

test:
	bash scripts/test.sh

server:
	cargo run -p resocket-test-server -- --port $${PORT:-8080} --www www

clean:
	cargo clean
	rm -rf pkg
