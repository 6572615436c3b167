"""`privlex completion bash|zsh|fish`: a shell completion script, made from the commands' own options.

The script is generated from the parser itself, so it knows every command,
every flag, the values of flags with choices (`--output-format`), and which
flags and arguments take files.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field

from .. import __version__
from .common import EXIT_OK, examples

SHELLS = ("bash", "zsh", "fish")
# Values that name files or folders, by their metavar.
_FILE_METAVARS = {"FILE", "PATH", "INPUT", "KEPT", "LOG", "DIR"}

EXAMPLES = examples(
    ('eval "$(privlex completion bash)"', "in ~/.bashrc: complete privlex's commands and flags in bash"),
    ("privlex completion zsh > ~/.zfunc/_privlex", "for zsh, with ~/.zfunc in $fpath before `compinit`"),
    ("privlex completion fish > ~/.config/fish/completions/privlex.fish", "for fish"),
)


@dataclass
class Option:
    flags: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)
    files: bool = False
    folders: bool = False
    repeatable: bool = False


@dataclass
class Command:
    name: str
    help: str
    options: list[Option]
    positional_choices: list[str]
    positional_files: bool


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a script that completes privlex's commands, flags and their values in your shell. "
        "Load it from your shell's startup file, as below.",
        epilog=EXAMPLES,
    )
    command.add_argument("shell", choices=SHELLS, help="the shell: bash, zsh or fish")
    command.set_defaults(run=run, command_parsers=commands.choices, command_help=commands._choices_actions)


def _short(text: str | None) -> str:
    """A flag's help as a shell shows it: the first clause, on one line, without characters that need quoting."""
    text = re.sub(r"\s+", " ", (text or "").replace("%%", "%")).strip()
    text = re.sub(r"\s*\([^)]*\)", "", text.split(";", 1)[0]).strip().rstrip(",:.")
    text = re.sub(r"[\[\]`'\"$\\:]", "", text)
    return text[:70]


def _commands(args: argparse.Namespace) -> list[Command]:
    helps = {action.dest: action.help for action in args.command_help}
    found = []
    for name, command_parser in args.command_parsers.items():
        options: list[Option] = []
        positional_choices: list[str] = []
        positional_files = False
        for action in command_parser._actions:
            if action.help == argparse.SUPPRESS:
                continue
            if not action.option_strings:
                if action.choices:
                    positional_choices = [str(c) for c in action.choices]
                else:
                    positional_files = True
                continue
            metavar = str(action.metavar or "")
            takes_value = action.nargs != 0
            options.append(
                Option(
                    flags=list(action.option_strings),
                    help=_short(action.help),
                    takes_value=takes_value,
                    choices=[str(c) for c in action.choices or ()],
                    files=takes_value and metavar in _FILE_METAVARS,
                    folders=metavar == "DIR",
                    repeatable=isinstance(action, argparse._AppendAction),
                )
            )
        found.append(Command(name, _short(helps.get(name)), options, positional_choices, positional_files))
    return found


def bash(commands: list[Command]) -> str:
    names = " ".join(c.name for c in commands)
    cases = []
    for command in commands:
        values = []
        for option in command.options:
            if not option.takes_value:
                continue
            pattern = "|".join(option.flags)
            if option.choices:
                words = " ".join(option.choices)
                values.append(f'                {pattern}) COMPREPLY=($(compgen -W "{words}" -- "$cur")); return ;;')
            elif option.files:
                kind = "-d" if option.folders else "-f"
                values.append(f'                {pattern}) COMPREPLY=($(compgen {kind} -- "$cur")); return ;;')
            else:
                values.append(f"                {pattern}) return ;;")
        flags = " ".join(flag for option in command.options for flag in option.flags)
        if command.positional_choices:
            rest = f'COMPREPLY=($(compgen -W "{" ".join(command.positional_choices)}" -- "$cur"))'
        elif command.positional_files:
            rest = 'COMPREPLY=($(compgen -f -- "$cur"))'
        else:
            rest = "COMPREPLY=()"
        cases.append(
            f"        {command.name})\n"
            + ('            case "$prev" in\n' + "\n".join(values) + "\n            esac\n" if values else "")
            + f'            if [[ "$cur" == -* ]]; then\n'
            f'                COMPREPLY=($(compgen -W "{flags}" -- "$cur"))\n'
            f"            else\n"
            f"                {rest}\n"
            f"            fi\n"
            f"            ;;"
        )
    return f"""# bash completion for privlex {__version__}: eval "$(privlex completion bash)" in ~/.bashrc
_privlex() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}" command="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            -*) ;;
            *) command="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    if [[ -z "$command" ]]; then
        COMPREPLY=($(compgen -W "{names} --help --version" -- "$cur"))
        return
    fi
    case "$command" in
{chr(10).join(cases)}
    esac
}}
complete -o filenames -o bashdefault -F _privlex privlex
"""


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def zsh(commands: list[Command]) -> str:
    listed = "\n".join(f"        {_zsh_quote(f'{c.name}:{c.help}')}" for c in commands)
    cases = []
    for command in commands:
        specs = []
        for option in command.options:
            for flag in option.flags:
                if flag in ("-h", "--help"):
                    specs.append(_zsh_quote(f"(- *){flag}[show the help]"))
                    continue
                spec = f"{'*' if option.repeatable else ''}{flag}{'=' if option.takes_value else ''}[{option.help}]"
                if option.takes_value:
                    action = (
                        f"({' '.join(option.choices)})"
                        if option.choices
                        else "_files -/"
                        if option.folders
                        else "_files"
                        if option.files
                        else " "
                    )
                    spec += f":value:{action}"
                specs.append(_zsh_quote(spec))
        if command.positional_choices:
            specs.append(_zsh_quote(f"1:value:({' '.join(command.positional_choices)})"))
        elif command.positional_files:
            specs.append(_zsh_quote("*:path:_files"))
        joined = " \\\n                ".join(specs)
        cases.append(f"            {command.name})\n                _arguments -s {joined}\n                ;;")
    return f"""#compdef privlex
# zsh completion for privlex {__version__}: privlex completion zsh > ~/.zfunc/_privlex
_privlex() {{
    local state line
    _arguments -C \\
        '(- *)--help[show the help]' \\
        '(- *)--version[show the version]' \\
        '1: :->command' \\
        '*:: :->argument'
    case $state in
        command)
            local -a commands=(
{listed}
            )
            _describe -t commands 'privlex command' commands
            ;;
        argument)
            case $line[1] in
{chr(10).join(cases)}
            esac
            ;;
    esac
}}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _privlex "$@"
else
    compdef _privlex privlex
fi
"""


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(commands: list[Command]) -> str:
    lines = [
        f"# fish completion for privlex {__version__}: "
        "privlex completion fish > ~/.config/fish/completions/privlex.fish",
        "complete -c privlex -f",
        "complete -c privlex -n __fish_use_subcommand -l help -s h -d 'show the help'",
        "complete -c privlex -n __fish_use_subcommand -l version -d 'show the version'",
    ]
    for command in commands:
        lines.append(f"complete -c privlex -n __fish_use_subcommand -a {command.name} -d {_fish_quote(command.help)}")
    for command in commands:
        when = f"-n '__fish_seen_subcommand_from {command.name}'"
        for option in command.options:
            names = " ".join(f"-l {f[2:]}" if f.startswith("--") else f"-s {f[1:]}" for f in option.flags)
            value = ""
            if option.takes_value:
                value = (
                    f" -x -a {_fish_quote(' '.join(option.choices))}"
                    if option.choices
                    else " -r -F"
                    if option.files
                    else " -x"
                )
            lines.append(f"complete -c privlex {when} {names}{value} -d {_fish_quote(option.help)}")
        if command.positional_choices:
            lines.append(f"complete -c privlex {when} -a {_fish_quote(' '.join(command.positional_choices))}")
        elif command.positional_files:
            lines.append(f"complete -c privlex {when} -F")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    commands = _commands(args)
    script = {"bash": bash, "zsh": zsh, "fish": fish}[args.shell](commands)
    sys.stdout.write(script)
    return EXIT_OK
