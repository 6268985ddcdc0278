fn main() {
    println!("auditrs: not yet wired");
}
