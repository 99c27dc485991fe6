
use builtin;
use str;

set edit:completion:arg-completer[checklist] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'checklist'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'checklist'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --color 'When to use colour'
            cand --timeout 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)'
            cand --env 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)'
            cand --actor 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --dry-run 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
            cand -v 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand --verbose 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand -q 'Print only failed tasks, the closing line and errors'
            cand --quiet 'Print only failed tasks, the closing line and errors'
            cand -y 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --yes 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --json 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'The checklists found, with task counts'
            cand show 'The tasks of checklist NAME, in order, with their kind'
            cand run 'Run one or more checklists in order'
            cand validate 'Check every checklist file; exit 0 or 2'
            cand completions 'Print a completion script for SHELL (the same files live in completions/)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'checklist;list'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --color 'When to use colour'
            cand --timeout 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)'
            cand --env 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)'
            cand --actor 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --dry-run 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
            cand -v 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand --verbose 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand -q 'Print only failed tasks, the closing line and errors'
            cand --quiet 'Print only failed tasks, the closing line and errors'
            cand -y 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --yes 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --json 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'checklist;show'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --color 'When to use colour'
            cand --timeout 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)'
            cand --env 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)'
            cand --actor 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --dry-run 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
            cand -v 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand --verbose 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand -q 'Print only failed tasks, the closing line and errors'
            cand --quiet 'Print only failed tasks, the closing line and errors'
            cand -y 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --yes 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --json 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'checklist;run'= {
            cand --from 'Start at task ID (the tasks before it are skipped)'
            cand --only 'Run only task ID (repeatable; ID or CHECKLIST/ID)'
            cand --skip 'Skip task ID (repeatable; ID or CHECKLIST/ID)'
            cand -j 'How many parallel tasks run at once [default: the number of CPUs]'
            cand --jobs 'How many parallel tasks run at once [default: the number of CPUs]'
            cand --junit 'Write a JUnit XML report to FILE'
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --color 'When to use colour'
            cand --timeout 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)'
            cand --env 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)'
            cand --actor 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --skip-manual 'Skip manual tasks'
            cand --resume 'Continue the last unfinished run after its last passed task'
            cand --dry-run 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
            cand -v 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand --verbose 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand -q 'Print only failed tasks, the closing line and errors'
            cand --quiet 'Print only failed tasks, the closing line and errors'
            cand -y 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --yes 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --json 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'checklist;validate'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --color 'When to use colour'
            cand --timeout 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)'
            cand --env 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)'
            cand --actor 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --dry-run 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
            cand -v 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand --verbose 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand -q 'Print only failed tasks, the closing line and errors'
            cand --quiet 'Print only failed tasks, the closing line and errors'
            cand -y 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --yes 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --json 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'checklist;completions'= {
            cand -C 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --dir 'Run as if started in DIR (where stages.yaml is, or below it)'
            cand --color 'When to use colour'
            cand --timeout 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)'
            cand --env 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)'
            cand --actor 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]'
            cand --dry-run 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would'
            cand -v 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand --verbose 'Print each task''s whole output when it ends, and the tasks that are skipped'
            cand -q 'Print only failed tasks, the closing line and errors'
            cand --quiet 'Print only failed tasks, the closing line and errors'
            cand -y 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --yes 'Confirm manual tasks and rollout: confirmations without asking (for CI)'
            cand --json 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'checklist;help'= {
            cand list 'The checklists found, with task counts'
            cand show 'The tasks of checklist NAME, in order, with their kind'
            cand run 'Run one or more checklists in order'
            cand validate 'Check every checklist file; exit 0 or 2'
            cand completions 'Print a completion script for SHELL (the same files live in completions/)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'checklist;help;list'= {
        }
        &'checklist;help;show'= {
        }
        &'checklist;help;run'= {
        }
        &'checklist;help;validate'= {
        }
        &'checklist;help;completions'= {
        }
        &'checklist;help;help'= {
        }
    ]
    $completions[$command]
}
