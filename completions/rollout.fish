# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rollout_global_optspecs
    string join \n C/dir= env= dry-run json color= q/quiet v/verbose y/yes actor= timeout= h/help V/version
end

function __fish_rollout_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rollout_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rollout_using_subcommand
    set -l cmd (__fish_rollout_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rollout -n "__fish_rollout_needs_command" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_needs_command" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_needs_command" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_needs_command" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_needs_command" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_needs_command" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_needs_command" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_needs_command" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_needs_command" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_needs_command" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_needs_command" -s V -l version -d 'Print version'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "plan" -d 'Show the stage table as a timeline, marking the current stage'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "status" -d 'Show the flag\'s state as the provider reports it, and when the next stage is allowed'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "advance" -d 'Move to the next stage (or STAGE, which must be the next one)'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "rollback" -d 'Move down to the previous stage (or an earlier STAGE)'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "kill" -d 'The emergency switch: turn the flag off in the environment now'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "resume" -d 'Turn a killed flag back on, at the stage it was killed at, for the same users'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "history" -d 'Show the journal, newest first'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "preview" -d 'Exposure: how many and which user ids in FILE are on at each stage'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "check" -d 'The first stage that includes USER, and whether the flag is on for USER now'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "gates" -d 'Each gate\'s value, threshold and verdict now; exit 1 when one blocks'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "watch" -d 'Look at the gates every --interval; kill on a critical breach; --advance'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "state" -d 'The shared state store (`state:`): its status, or push the journal into it'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "validate" -d 'Check stages.yaml and every checklist; exit 0 or 2'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "completions" -d 'Print a completion script for SHELL'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "schema" -d 'Print the JSON Schema of stages.yaml or of a checklist (for editors; docs/schema.md)'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "init" -d 'Write a commented starter stages.yaml (and checklists/) into a project that has none'
complete -c rollout -n "__fish_rollout_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l traffic -d 'Requests reaching the flag\'s code, both arms together: 12000/h (also /min, /s, /d); default: the compare gate\'s `total` over the last hour' -r
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l baseline -d 'The error rate of off, the baseline: 0.01 or 1%; default: the compare gate\'s, last hour' -r
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l max-increase -d 'The allowed degradation, absolute: 0.005 or 0.5%; default: the compare gate\'s' -r
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l alpha -d 'The false-alarm bound shared by the stage\'s compare gates; default: the gate\'s, else 0.05' -r
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l gates -d 'How many compare gates share alpha; default: the stage\'s compare gates, at least 1' -r
complete -c rollout -n "__fish_rollout_using_subcommand plan" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l power -d 'Show each stage\'s minimum soak for a compare gate to detect --max-increase (80% power)'
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand plan" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand plan" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand plan" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand plan" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand plan" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand status" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand status" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand status" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand status" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand status" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand status" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand status" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand status" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand status" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand status" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand advance" -l reason -d 'Why this change is made (journaled and sent to notify targets)' -r
complete -c rollout -n "__fish_rollout_using_subcommand advance" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand advance" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand advance" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand advance" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand advance" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand advance" -l force -d 'Override a refusing rule (skip, soak, planned start, killed); needs --reason'
complete -c rollout -n "__fish_rollout_using_subcommand advance" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand advance" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand advance" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand advance" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand advance" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand advance" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -l reason -d 'Why this change is made (journaled and sent to notify targets)' -r
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -l force -d 'Override a refusing rule (skip, soak, planned start, killed); needs --reason'
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand kill" -l reason -d 'Why (journaled and sent to notify targets)' -r
complete -c rollout -n "__fish_rollout_using_subcommand kill" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand kill" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand kill" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand kill" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand kill" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand kill" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand kill" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand kill" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand kill" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand kill" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand kill" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand resume" -l reason -d 'Why (journaled and sent to notify targets)' -r
complete -c rollout -n "__fish_rollout_using_subcommand resume" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand resume" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand resume" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand resume" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand resume" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand resume" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand resume" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand resume" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand resume" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand resume" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand resume" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand history" -l limit -d 'Show at most N entries' -r
complete -c rollout -n "__fish_rollout_using_subcommand history" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand history" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand history" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand history" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand history" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand history" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand history" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand history" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand history" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand history" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand history" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand preview" -l users -d 'A file of user ids, one a line (- for stdin)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand preview" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand preview" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand preview" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand preview" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand preview" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand preview" -l ids -d 'List the ids that are on (for STAGE, or for the flag\'s current state)'
complete -c rollout -n "__fish_rollout_using_subcommand preview" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand preview" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand preview" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand preview" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand preview" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand preview" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand check" -l group -d 'A group USER belongs to (repeatable)' -r
complete -c rollout -n "__fish_rollout_using_subcommand check" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand check" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand check" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand check" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand check" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand check" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand check" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand check" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand check" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand check" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand check" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand gates" -l stage -d 'The gates of this stage (default: the stage the flag is at)' -r
complete -c rollout -n "__fish_rollout_using_subcommand gates" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand gates" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand gates" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand gates" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand gates" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand gates" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand gates" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand gates" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand gates" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand gates" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand gates" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l interval -d 'Time between looks' -r
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l until -d 'Stop (exit 0) once the flag is at STAGE' -r
complete -c rollout -n "__fish_rollout_using_subcommand watch" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l advance -d 'Also advance when the soak has passed, the planned start has come and every gate of the next stage passes'
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l once -d 'One look, act, exit: 0 nothing to do or advanced (or another run holds the lease), 1 killed, 3 held, 4 provider or store error (for cron and CI schedules; pass the schedule\'s period as --interval)'
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l dry-run -d 'Refused: watch acts on what it sees (`rollout gates` shows the verdicts now)'
complete -c rollout -n "__fish_rollout_using_subcommand watch" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand watch" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand watch" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand watch" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand watch" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -f -a "status" -d 'Which store, whether it is reachable, its schema version, records and lease holders; exit 4 when unreachable'
complete -c rollout -n "__fish_rollout_using_subcommand state; and not __fish_seen_subcommand_from status push" -f -a "push" -d 'Copy the local journal (.rollout/journal.jsonl) into the configured store; records it holds already are skipped'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand state; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand validate" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand validate" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand validate" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand validate" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand validate" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand validate" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand validate" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand validate" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand validate" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand validate" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand validate" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand completions" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand completions" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand completions" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand completions" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand completions" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand completions" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand completions" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand completions" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand completions" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand completions" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand schema" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand schema" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand schema" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand schema" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand schema" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand schema" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand schema" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand schema" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand schema" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand schema" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand schema" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand init" -l flag -d 'The flag key to write into stages.yaml' -r
complete -c rollout -n "__fish_rollout_using_subcommand init" -s C -l dir -d 'Run as if started in DIR (where stages.yaml is, or below it)' -r -F
complete -c rollout -n "__fish_rollout_using_subcommand init" -l env -d 'Environment to act on (a name under `environments:`, or the provider\'s environment)' -r
complete -c rollout -n "__fish_rollout_using_subcommand init" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rollout -n "__fish_rollout_using_subcommand init" -l actor -d 'Who is making the change [default: ROLLOUT_ACTOR, CI\'s actor, git user.email, $USER]' -r
complete -c rollout -n "__fish_rollout_using_subcommand init" -l timeout -d 'How long to keep trying the provider before giving up' -r
complete -c rollout -n "__fish_rollout_using_subcommand init" -l dry-run -d 'Change nothing: print each request that would be sent and the event that would be recorded'
complete -c rollout -n "__fish_rollout_using_subcommand init" -l json -d 'Print one JSON document on stdout (with "schema": 1)'
complete -c rollout -n "__fish_rollout_using_subcommand init" -s q -l quiet -d 'Print only results and errors'
complete -c rollout -n "__fish_rollout_using_subcommand init" -s v -l verbose -d 'Print details: provider requests (secrets hidden), timings'
complete -c rollout -n "__fish_rollout_using_subcommand init" -s y -l yes -d 'Answer yes to confirmations (for scripts and CI)'
complete -c rollout -n "__fish_rollout_using_subcommand init" -s h -l help -d 'Print help'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "plan" -d 'Show the stage table as a timeline, marking the current stage'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "status" -d 'Show the flag\'s state as the provider reports it, and when the next stage is allowed'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "advance" -d 'Move to the next stage (or STAGE, which must be the next one)'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "rollback" -d 'Move down to the previous stage (or an earlier STAGE)'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "kill" -d 'The emergency switch: turn the flag off in the environment now'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "resume" -d 'Turn a killed flag back on, at the stage it was killed at, for the same users'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "history" -d 'Show the journal, newest first'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "preview" -d 'Exposure: how many and which user ids in FILE are on at each stage'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "check" -d 'The first stage that includes USER, and whether the flag is on for USER now'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "gates" -d 'Each gate\'s value, threshold and verdict now; exit 1 when one blocks'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "watch" -d 'Look at the gates every --interval; kill on a critical breach; --advance'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "state" -d 'The shared state store (`state:`): its status, or push the journal into it'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "validate" -d 'Check stages.yaml and every checklist; exit 0 or 2'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "completions" -d 'Print a completion script for SHELL'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "schema" -d 'Print the JSON Schema of stages.yaml or of a checklist (for editors; docs/schema.md)'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "init" -d 'Write a commented starter stages.yaml (and checklists/) into a project that has none'
complete -c rollout -n "__fish_rollout_using_subcommand help; and not __fish_seen_subcommand_from plan status advance rollback kill resume history preview check gates watch state validate completions schema init help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rollout -n "__fish_rollout_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "status" -d 'Which store, whether it is reachable, its schema version, records and lease holders; exit 4 when unreachable'
complete -c rollout -n "__fish_rollout_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "push" -d 'Copy the local journal (.rollout/journal.jsonl) into the configured store; records it holds already are skipped'
