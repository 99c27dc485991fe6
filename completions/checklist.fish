# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_checklist_global_optspecs
    string join \n C/dir= color= dry-run v/verbose q/quiet timeout= y/yes env= actor= json h/help V/version
end

function __fish_checklist_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_checklist_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_checklist_using_subcommand
    set -l cmd (__fish_checklist_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c checklist -n "__fish_checklist_needs_command" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c checklist -n "__fish_checklist_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c checklist -n "__fish_checklist_needs_command" -l timeout -d 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)' -r
complete -c checklist -n "__fish_checklist_needs_command" -l env -d 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)' -r
complete -c checklist -n "__fish_checklist_needs_command" -l actor -d 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c checklist -n "__fish_checklist_needs_command" -l dry-run -d 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
complete -c checklist -n "__fish_checklist_needs_command" -s v -l verbose -d 'Print each task\'s whole output when it ends, and the tasks that are skipped'
complete -c checklist -n "__fish_checklist_needs_command" -s q -l quiet -d 'Print only failed tasks, the closing line and errors'
complete -c checklist -n "__fish_checklist_needs_command" -s y -l yes -d 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
complete -c checklist -n "__fish_checklist_needs_command" -l json -d 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
complete -c checklist -n "__fish_checklist_needs_command" -s h -l help -d 'Print help'
complete -c checklist -n "__fish_checklist_needs_command" -s V -l version -d 'Print version'
complete -c checklist -n "__fish_checklist_needs_command" -f -a "list" -d 'The checklists found, with task counts'
complete -c checklist -n "__fish_checklist_needs_command" -f -a "show" -d 'The tasks of checklist NAME, in order, with their kind'
complete -c checklist -n "__fish_checklist_needs_command" -f -a "run" -d 'Run one or more checklists in order'
complete -c checklist -n "__fish_checklist_needs_command" -f -a "validate" -d 'Check every checklist file; exit 0 or 2'
complete -c checklist -n "__fish_checklist_needs_command" -f -a "completions" -d 'Print a completion script for SHELL (the same files live in completions/)'
complete -c checklist -n "__fish_checklist_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c checklist -n "__fish_checklist_using_subcommand list" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c checklist -n "__fish_checklist_using_subcommand list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c checklist -n "__fish_checklist_using_subcommand list" -l timeout -d 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)' -r
complete -c checklist -n "__fish_checklist_using_subcommand list" -l env -d 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)' -r
complete -c checklist -n "__fish_checklist_using_subcommand list" -l actor -d 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c checklist -n "__fish_checklist_using_subcommand list" -l dry-run -d 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
complete -c checklist -n "__fish_checklist_using_subcommand list" -s v -l verbose -d 'Print each task\'s whole output when it ends, and the tasks that are skipped'
complete -c checklist -n "__fish_checklist_using_subcommand list" -s q -l quiet -d 'Print only failed tasks, the closing line and errors'
complete -c checklist -n "__fish_checklist_using_subcommand list" -s y -l yes -d 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
complete -c checklist -n "__fish_checklist_using_subcommand list" -l json -d 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
complete -c checklist -n "__fish_checklist_using_subcommand list" -s h -l help -d 'Print help'
complete -c checklist -n "__fish_checklist_using_subcommand show" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c checklist -n "__fish_checklist_using_subcommand show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c checklist -n "__fish_checklist_using_subcommand show" -l timeout -d 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)' -r
complete -c checklist -n "__fish_checklist_using_subcommand show" -l env -d 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)' -r
complete -c checklist -n "__fish_checklist_using_subcommand show" -l actor -d 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c checklist -n "__fish_checklist_using_subcommand show" -l dry-run -d 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
complete -c checklist -n "__fish_checklist_using_subcommand show" -s v -l verbose -d 'Print each task\'s whole output when it ends, and the tasks that are skipped'
complete -c checklist -n "__fish_checklist_using_subcommand show" -s q -l quiet -d 'Print only failed tasks, the closing line and errors'
complete -c checklist -n "__fish_checklist_using_subcommand show" -s y -l yes -d 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
complete -c checklist -n "__fish_checklist_using_subcommand show" -l json -d 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
complete -c checklist -n "__fish_checklist_using_subcommand show" -s h -l help -d 'Print help'
complete -c checklist -n "__fish_checklist_using_subcommand run" -l from -d 'Start at task ID (the tasks before it are skipped)' -r
complete -c checklist -n "__fish_checklist_using_subcommand run" -l only -d 'Run only task ID (repeatable; ID or CHECKLIST/ID)' -r
complete -c checklist -n "__fish_checklist_using_subcommand run" -l skip -d 'Skip task ID (repeatable; ID or CHECKLIST/ID)' -r
complete -c checklist -n "__fish_checklist_using_subcommand run" -s j -l jobs -d 'How many parallel tasks run at once [default: the number of CPUs]' -r
complete -c checklist -n "__fish_checklist_using_subcommand run" -l junit -d 'Write a JUnit XML report to FILE' -r -F
complete -c checklist -n "__fish_checklist_using_subcommand run" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c checklist -n "__fish_checklist_using_subcommand run" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c checklist -n "__fish_checklist_using_subcommand run" -l timeout -d 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)' -r
complete -c checklist -n "__fish_checklist_using_subcommand run" -l env -d 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)' -r
complete -c checklist -n "__fish_checklist_using_subcommand run" -l actor -d 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c checklist -n "__fish_checklist_using_subcommand run" -l skip-manual -d 'Skip manual tasks'
complete -c checklist -n "__fish_checklist_using_subcommand run" -l resume -d 'Continue the last unfinished run after its last passed task'
complete -c checklist -n "__fish_checklist_using_subcommand run" -l dry-run -d 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
complete -c checklist -n "__fish_checklist_using_subcommand run" -s v -l verbose -d 'Print each task\'s whole output when it ends, and the tasks that are skipped'
complete -c checklist -n "__fish_checklist_using_subcommand run" -s q -l quiet -d 'Print only failed tasks, the closing line and errors'
complete -c checklist -n "__fish_checklist_using_subcommand run" -s y -l yes -d 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
complete -c checklist -n "__fish_checklist_using_subcommand run" -l json -d 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
complete -c checklist -n "__fish_checklist_using_subcommand run" -s h -l help -d 'Print help'
complete -c checklist -n "__fish_checklist_using_subcommand validate" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c checklist -n "__fish_checklist_using_subcommand validate" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c checklist -n "__fish_checklist_using_subcommand validate" -l timeout -d 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)' -r
complete -c checklist -n "__fish_checklist_using_subcommand validate" -l env -d 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)' -r
complete -c checklist -n "__fish_checklist_using_subcommand validate" -l actor -d 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c checklist -n "__fish_checklist_using_subcommand validate" -l dry-run -d 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
complete -c checklist -n "__fish_checklist_using_subcommand validate" -s v -l verbose -d 'Print each task\'s whole output when it ends, and the tasks that are skipped'
complete -c checklist -n "__fish_checklist_using_subcommand validate" -s q -l quiet -d 'Print only failed tasks, the closing line and errors'
complete -c checklist -n "__fish_checklist_using_subcommand validate" -s y -l yes -d 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
complete -c checklist -n "__fish_checklist_using_subcommand validate" -l json -d 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
complete -c checklist -n "__fish_checklist_using_subcommand validate" -s h -l help -d 'Print help'
complete -c checklist -n "__fish_checklist_using_subcommand completions" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c checklist -n "__fish_checklist_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c checklist -n "__fish_checklist_using_subcommand completions" -l timeout -d 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)' -r
complete -c checklist -n "__fish_checklist_using_subcommand completions" -l env -d 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)' -r
complete -c checklist -n "__fish_checklist_using_subcommand completions" -l actor -d 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c checklist -n "__fish_checklist_using_subcommand completions" -l dry-run -d 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
complete -c checklist -n "__fish_checklist_using_subcommand completions" -s v -l verbose -d 'Print each task\'s whole output when it ends, and the tasks that are skipped'
complete -c checklist -n "__fish_checklist_using_subcommand completions" -s q -l quiet -d 'Print only failed tasks, the closing line and errors'
complete -c checklist -n "__fish_checklist_using_subcommand completions" -s y -l yes -d 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
complete -c checklist -n "__fish_checklist_using_subcommand completions" -l json -d 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
complete -c checklist -n "__fish_checklist_using_subcommand completions" -s h -l help -d 'Print help'
complete -c checklist -n "__fish_checklist_using_subcommand help; and not __fish_seen_subcommand_from list show run validate completions help" -f -a "list" -d 'The checklists found, with task counts'
complete -c checklist -n "__fish_checklist_using_subcommand help; and not __fish_seen_subcommand_from list show run validate completions help" -f -a "show" -d 'The tasks of checklist NAME, in order, with their kind'
complete -c checklist -n "__fish_checklist_using_subcommand help; and not __fish_seen_subcommand_from list show run validate completions help" -f -a "run" -d 'Run one or more checklists in order'
complete -c checklist -n "__fish_checklist_using_subcommand help; and not __fish_seen_subcommand_from list show run validate completions help" -f -a "validate" -d 'Check every checklist file; exit 0 or 2'
complete -c checklist -n "__fish_checklist_using_subcommand help; and not __fish_seen_subcommand_from list show run validate completions help" -f -a "completions" -d 'Print a completion script for SHELL (the same files live in completions/)'
complete -c checklist -n "__fish_checklist_using_subcommand help; and not __fish_seen_subcommand_from list show run validate completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
