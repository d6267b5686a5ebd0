// The core needs little stack (no recursion, small frames): 64 KiB instead of the default
// 1 MiB makes the module's memory start at a few pages.
fn main() {
    println!("cargo:rustc-link-arg-cdylib=-zstack-size=65536");
}
