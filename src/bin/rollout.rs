fn main() {
    std::process::exit(rollout::run_rollout(std::env::args_os()));
}
