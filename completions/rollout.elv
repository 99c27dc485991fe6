
use builtin;
use str;

set edit:completion:arg-completer[rollout] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rollout'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rollout'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand plan 'Show the stage table as a timeline, marking the current stage'
            cand status 'Show the flag''s state as the provider reports it, and when the next stage is allowed'
            cand advance 'Move to the next stage (or STAGE, which must be the next one)'
            cand rollback 'Move down to the previous stage (or an earlier STAGE)'
            cand kill 'The emergency switch: turn the flag off in the environment now'
            cand resume 'Turn a killed flag back on, at the stage it was killed at, for the same users'
            cand history 'Show the journal, newest first'
            cand preview 'Exposure: how many and which user ids in FILE are on at each stage'
            cand check 'The first stage that includes USER, and whether the flag is on for USER now'
            cand gates 'Each gate''s value, threshold and verdict now; exit 1 when one blocks'
            cand watch 'Look at the gates every --interval; kill on a critical breach; --advance'
            cand state 'The shared state store (`state:`): its status, or push the journal into it'
            cand validate 'Check stages.yaml and every checklist; exit 0 or 2'
            cand completions 'Print a completion script for SHELL'
            cand schema 'Print the JSON Schema of stages.yaml or of a checklist (for editors; docs/schema.md)'
            cand init 'Write a commented starter stages.yaml (and checklists/) into a project that has none'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rollout;plan'= {
            cand --traffic 'Requests reaching the flag''s code, both arms together: 12000/h (also /min, /s, /d); default: the compare gate''s `total` over the last hour'
            cand --baseline 'The error rate of off, the baseline: 0.01 or 1%; default: the compare gate''s, last hour'
            cand --max-increase 'The allowed degradation, absolute: 0.005 or 0.5%; default: the compare gate''s'
            cand --alpha 'The false-alarm bound shared by the stage''s compare gates; default: the gate''s, else 0.05'
            cand --gates 'How many compare gates share alpha; default: the stage''s compare gates, at least 1'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --power 'Show each stage''s minimum soak for a compare gate to detect --max-increase (80% power)'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;status'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;advance'= {
            cand --reason 'Why this change is made (journaled and sent to notify targets)'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --force 'Override a refusing rule (skip, soak, planned start, killed); needs --reason'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;rollback'= {
            cand --reason 'Why this change is made (journaled and sent to notify targets)'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --force 'Override a refusing rule (skip, soak, planned start, killed); needs --reason'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;kill'= {
            cand --reason 'Why (journaled and sent to notify targets)'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;resume'= {
            cand --reason 'Why (journaled and sent to notify targets)'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;history'= {
            cand --limit 'Show at most N entries'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;preview'= {
            cand --users 'A file of user ids, one a line (- for stdin)'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --ids 'List the ids that are on (for STAGE, or for the flag''s current state)'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;check'= {
            cand --group 'A group USER belongs to (repeatable)'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;gates'= {
            cand --stage 'The gates of this stage (default: the stage the flag is at)'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;watch'= {
            cand --interval 'Time between looks'
            cand --until 'Stop (exit 0) once the flag is at STAGE'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --advance 'Also advance when the soak has passed, the planned start has come and every gate of the next stage passes'
            cand --once 'One look, act, exit: 0 nothing to do or advanced (or another run holds the lease), 1 killed, 3 held, 4 provider or store error (for cron and CI schedules; pass the schedule''s period as --interval)'
            cand --dry-run 'Refused: watch acts on what it sees (`rollout gates` shows the verdicts now)'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;state'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand status 'Which store, whether it is reachable, its schema version, records and lease holders; exit 4 when unreachable'
            cand push 'Copy the local journal (.rollout/journal.jsonl) into the configured store; records it holds already are skipped'
        }
        &'rollout;state;status'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;state;push'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;validate'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;completions'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;schema'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;init'= {
            cand --flag 'The flag key to write into stages.yaml'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --env 'Environment to act on (a name under `environments:`, or the provider''s environment)'
            cand --color 'When to use colour'
            cand --actor 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --timeout 'How long to keep trying the provider before giving up'
            cand --dry-run 'Change nothing: print each request that would be sent and the event that would be recorded'
            cand --json 'Print one JSON document on stdout (with "schema": 1)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Print details: provider requests (secrets hidden), timings'
            cand --verbose 'Print details: provider requests (secrets hidden), timings'
            cand -y 'Answer yes to confirmations (for scripts and CI)'
            cand --yes 'Answer yes to confirmations (for scripts and CI)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rollout;help'= {
            cand plan 'Show the stage table as a timeline, marking the current stage'
            cand status 'Show the flag''s state as the provider reports it, and when the next stage is allowed'
            cand advance 'Move to the next stage (or STAGE, which must be the next one)'
            cand rollback 'Move down to the previous stage (or an earlier STAGE)'
            cand kill 'The emergency switch: turn the flag off in the environment now'
            cand resume 'Turn a killed flag back on, at the stage it was killed at, for the same users'
            cand history 'Show the journal, newest first'
            cand preview 'Exposure: how many and which user ids in FILE are on at each stage'
            cand check 'The first stage that includes USER, and whether the flag is on for USER now'
            cand gates 'Each gate''s value, threshold and verdict now; exit 1 when one blocks'
            cand watch 'Look at the gates every --interval; kill on a critical breach; --advance'
            cand state 'The shared state store (`state:`): its status, or push the journal into it'
            cand validate 'Check stages.yaml and every checklist; exit 0 or 2'
            cand completions 'Print a completion script for SHELL'
            cand schema 'Print the JSON Schema of stages.yaml or of a checklist (for editors; docs/schema.md)'
            cand init 'Write a commented starter stages.yaml (and checklists/) into a project that has none'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rollout;help;plan'= {
        }
        &'rollout;help;status'= {
        }
        &'rollout;help;advance'= {
        }
        &'rollout;help;rollback'= {
        }
        &'rollout;help;kill'= {
        }
        &'rollout;help;resume'= {
        }
        &'rollout;help;history'= {
        }
        &'rollout;help;preview'= {
        }
        &'rollout;help;check'= {
        }
        &'rollout;help;gates'= {
        }
        &'rollout;help;watch'= {
        }
        &'rollout;help;state'= {
            cand status 'Which store, whether it is reachable, its schema version, records and lease holders; exit 4 when unreachable'
            cand push 'Copy the local journal (.rollout/journal.jsonl) into the configured store; records it holds already are skipped'
        }
        &'rollout;help;state;status'= {
        }
        &'rollout;help;state;push'= {
        }
        &'rollout;help;validate'= {
        }
        &'rollout;help;completions'= {
        }
        &'rollout;help;schema'= {
        }
        &'rollout;help;init'= {
        }
        &'rollout;help;help'= {
        }
    ]
    $completions[$command]
}
