fn main() {
    std::process::exit(rollout::run_checklist(std::env::args_os()));
}
