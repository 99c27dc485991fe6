
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rollout' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rollout'
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
        'rollout' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show the stage table as a timeline, marking the current stage')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the flag''s state as the provider reports it, and when the next stage is allowed')
            [CompletionResult]::new('advance', 'advance', [CompletionResultType]::ParameterValue, 'Move to the next stage (or STAGE, which must be the next one)')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Move down to the previous stage (or an earlier STAGE)')
            [CompletionResult]::new('kill', 'kill', [CompletionResultType]::ParameterValue, 'The emergency switch: turn the flag off in the environment now')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Turn a killed flag back on, at the stage it was killed at, for the same users')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the journal, newest first')
            [CompletionResult]::new('preview', 'preview', [CompletionResultType]::ParameterValue, 'Exposure: how many and which user ids in FILE are on at each stage')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'The first stage that includes USER, and whether the flag is on for USER now')
            [CompletionResult]::new('gates', 'gates', [CompletionResultType]::ParameterValue, 'Each gate''s value, threshold and verdict now; exit 1 when one blocks')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Look at the gates every --interval; kill on a critical breach; --advance')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'The shared state store (`state:`): its status, or push the journal into it')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check stages.yaml and every checklist; exit 0 or 2')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of stages.yaml or of a checklist (for editors; docs/schema.md)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter stages.yaml (and checklists/) into a project that has none')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rollout;plan' {
            [CompletionResult]::new('--traffic', '--traffic', [CompletionResultType]::ParameterName, 'Requests reaching the flag''s code, both arms together: 12000/h (also /min, /s, /d); default: the compare gate''s `total` over the last hour')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'The error rate of off, the baseline: 0.01 or 1%; default: the compare gate''s, last hour')
            [CompletionResult]::new('--max-increase', '--max-increase', [CompletionResultType]::ParameterName, 'The allowed degradation, absolute: 0.005 or 0.5%; default: the compare gate''s')
            [CompletionResult]::new('--alpha', '--alpha', [CompletionResultType]::ParameterName, 'The false-alarm bound shared by the stage''s compare gates; default: the gate''s, else 0.05')
            [CompletionResult]::new('--gates', '--gates', [CompletionResultType]::ParameterName, 'How many compare gates share alpha; default: the stage''s compare gates, at least 1')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--power', '--power', [CompletionResultType]::ParameterName, 'Show each stage''s minimum soak for a compare gate to detect --max-increase (80% power)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;status' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;advance' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why this change is made (journaled and sent to notify targets)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Override a refusing rule (skip, soak, planned start, killed); needs --reason')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;rollback' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why this change is made (journaled and sent to notify targets)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Override a refusing rule (skip, soak, planned start, killed); needs --reason')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;kill' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (journaled and sent to notify targets)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;resume' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (journaled and sent to notify targets)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;history' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N entries')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;preview' {
            [CompletionResult]::new('--users', '--users', [CompletionResultType]::ParameterName, 'A file of user ids, one a line (- for stdin)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--ids', '--ids', [CompletionResultType]::ParameterName, 'List the ids that are on (for STAGE, or for the flag''s current state)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;check' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'A group USER belongs to (repeatable)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;gates' {
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'The gates of this stage (default: the stage the flag is at)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;watch' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between looks')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Stop (exit 0) once the flag is at STAGE')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--advance', '--advance', [CompletionResultType]::ParameterName, 'Also advance when the soak has passed, the planned start has come and every gate of the next stage passes')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'One look, act, exit: 0 nothing to do or advanced (or another run holds the lease), 1 killed, 3 held, 4 provider or store error (for cron and CI schedules; pass the schedule''s period as --interval)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Refused: watch acts on what it sees (`rollout gates` shows the verdicts now)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;state' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which store, whether it is reachable, its schema version, records and lease holders; exit 4 when unreachable')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Copy the local journal (.rollout/journal.jsonl) into the configured store; records it holds already are skipped')
            break
        }
        'rollout;state;status' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;state;push' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;validate' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;completions' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;schema' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;init' {
            [CompletionResult]::new('--flag', '--flag', [CompletionResultType]::ParameterName, 'The flag key to write into stages.yaml')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Run as if started in DIR (where stages.yaml is, or below it)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment to act on (a name under `environments:`, or the provider''s environment)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is making the change [default: ROLLOUT_ACTOR, CI''s actor, git user.email, $USER]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to keep trying the provider before giving up')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Change nothing: print each request that would be sent and the event that would be recorded')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout (with "schema": 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print details: provider requests (secrets hidden), timings')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (for scripts and CI)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rollout;help' {
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show the stage table as a timeline, marking the current stage')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the flag''s state as the provider reports it, and when the next stage is allowed')
            [CompletionResult]::new('advance', 'advance', [CompletionResultType]::ParameterValue, 'Move to the next stage (or STAGE, which must be the next one)')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Move down to the previous stage (or an earlier STAGE)')
            [CompletionResult]::new('kill', 'kill', [CompletionResultType]::ParameterValue, 'The emergency switch: turn the flag off in the environment now')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Turn a killed flag back on, at the stage it was killed at, for the same users')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the journal, newest first')
            [CompletionResult]::new('preview', 'preview', [CompletionResultType]::ParameterValue, 'Exposure: how many and which user ids in FILE are on at each stage')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'The first stage that includes USER, and whether the flag is on for USER now')
            [CompletionResult]::new('gates', 'gates', [CompletionResultType]::ParameterValue, 'Each gate''s value, threshold and verdict now; exit 1 when one blocks')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Look at the gates every --interval; kill on a critical breach; --advance')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'The shared state store (`state:`): its status, or push the journal into it')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check stages.yaml and every checklist; exit 0 or 2')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for SHELL')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of stages.yaml or of a checklist (for editors; docs/schema.md)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter stages.yaml (and checklists/) into a project that has none')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rollout;help;plan' {
            break
        }
        'rollout;help;status' {
            break
        }
        'rollout;help;advance' {
            break
        }
        'rollout;help;rollback' {
            break
        }
        'rollout;help;kill' {
            break
        }
        'rollout;help;resume' {
            break
        }
        'rollout;help;history' {
            break
        }
        'rollout;help;preview' {
            break
        }
        'rollout;help;check' {
            break
        }
        'rollout;help;gates' {
            break
        }
        'rollout;help;watch' {
            break
        }
        'rollout;help;state' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which store, whether it is reachable, its schema version, records and lease holders; exit 4 when unreachable')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Copy the local journal (.rollout/journal.jsonl) into the configured store; records it holds already are skipped')
            break
        }
        'rollout;help;state;status' {
            break
        }
        'rollout;help;state;push' {
            break
        }
        'rollout;help;validate' {
            break
        }
        'rollout;help;completions' {
            break
        }
        'rollout;help;schema' {
            break
        }
        'rollout;help;init' {
            break
        }
        'rollout;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
