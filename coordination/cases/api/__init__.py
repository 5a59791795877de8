"""The cases in the JSON API (`/api/v1/cases`): the team's cases, one case as the gate lets
the reader see it, and the journey's commands, each with the version of the case it was
read at. Thin, like the pages: the same case service, the same gate, the same Läslogg and
the same Swedish messages, as problem details.

- answers.py: what it answers (a case in the list, one case whole);
- bodies.py: what the commands take, and how a body becomes the domain's command;
- collection.py: the list, one case, and a new referral;
- commands.py: the journey's commands on one case, behind the gate.
"""

from coordination.cases.api.collection import CasesApi
from coordination.cases.api.commands import command_routes

CONTROLLERS = [CasesApi]

__all__ = ["CONTROLLERS", "command_routes"]
