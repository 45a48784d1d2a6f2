"""Type stubs of the native module (the public API is the ``reident`` package)."""

from typing import Any, Dict, List, Optional

__version__: str

class ReidentError(ValueError):
    """An error reident reports, with the CLI's one-line message."""

class Outcome:
    """One command's outcome, as the library computed it."""

    @property
    def command(self) -> str: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def passed(self) -> Optional[bool]: ...
    def json(self) -> str:
        """The CLI's ``--json`` document of the run."""
    def verdicts_json(self) -> str: ...
    def report_json(self, show_values: bool = False) -> str: ...
    def write_report(
        self,
        dir: str,
        show_values: bool = False,
        audit_log: Optional[str] = None,
        audit: bool = True,
        force: bool = False,
        sign: Optional[str] = None,
    ) -> List[str]: ...

def run(
    command: str,
    data: Any,
    args: Dict[str, Any],
    command_line: List[str],
    threads: Optional[int] = None,
) -> Outcome:
    """Runs one command (keyword arguments named as the CLI's flags)."""
