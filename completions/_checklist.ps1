
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'checklist' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'checklist'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'checklist' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The checklists found, with task counts')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'The tasks of checklist NAME, in order, with their kind')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run one or more checklists in order')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check every checklist file; exit 0 or 2')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL (the same files live in completions/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'checklist;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'checklist;show' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'checklist;run' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Start at task ID (the tasks before it are skipped)')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only task ID (repeatable; ID or CHECKLIST/ID)')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Skip task ID (repeatable; ID or CHECKLIST/ID)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'How many parallel tasks run at once [default: the number of CPUs]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many parallel tasks run at once [default: the number of CPUs]')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Write a JUnit XML report to FILE')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--skip-manual', '--skip-manual', [CompletionResultType]::ParameterName, 'Skip manual tasks')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Continue the last unfinished run after its last passed task')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'checklist;validate' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'checklist;completions' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long rollout: tasks keep trying the provider before giving up (task time limits are `timeout:` in the checklist)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment the rollout: tasks act on (a name under `environments:` in stages.yaml)')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who runs the checklist, as journaled [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Run nothing and write nothing: print each task and what it would do (rollout: tasks preview their change); exit as the run would')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print each task''s whole output when it ends, and the tasks that are skipped')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failed tasks, the closing line and errors')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm manual tasks and rollout: confirmations without asking (for CI)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1); the closing line goes to stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'checklist;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The checklists found, with task counts')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'The tasks of checklist NAME, in order, with their kind')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run one or more checklists in order')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check every checklist file; exit 0 or 2')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL (the same files live in completions/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'checklist;help;list' {
            break
        }
        'checklist;help;show' {
            break
        }
        'checklist;help;run' {
            break
        }
        'checklist;help;validate' {
            break
        }
        'checklist;help;completions' {
            break
        }
        'checklist;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
