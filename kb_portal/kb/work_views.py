"""The trainer's "My work" page (see :mod:`.work`)."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..accounts.access import require
from ..localtime import local_today
from . import work

bp = Blueprint("kb_work", __name__)
bp.add_app_template_global(work.count_for_menu, "my_work_count")


@bp.route("/kb/my-work")
@require("trainer")
def mine():
    """Returned to me, my drafts, my articles in review, reviews waiting for me, due."""
    return render_template("kb/my_work.html", work=work.my_work(current_user),
                           today=local_today())
