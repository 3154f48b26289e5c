"""Login, logout, own account, and user administration."""
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..audit import AuditEntry
from ..extensions import db, limiter
from ..i18n.locales import SESSION_KEY
from . import people, services
from .access import public, require
from .forms import ChangePasswordForm, CreateUserForm, EditUserForm, LoginForm, PreferencesForm
from .models import User

bp = Blueprint("accounts", __name__)
bp.add_app_template_global(people.display_name, "person_name")
bp.add_app_template_global(people.role_label, "role_label")


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site (no open redirects)."""
    if target and not urlsplit(target).netloc and target.startswith("/") and \
            not target.startswith("//"):
        return target
    return url_for("kb.home")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("kb.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong user name or password, or the account is deactivated."), "error")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@require("agent")
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account")
@require("agent")
def account():
    return render_template("accounts/account.html", pw_form=ChangePasswordForm(),
                           pref_form=PreferencesForm(
                                                     locale=current_user.locale or ""))


@bp.route("/account/password", methods=["POST"])
@require("agent")
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    elif not current_user.check_password(form.current.data):
        flash(_("The current password is wrong."), "error")
    else:
        services.set_password(current_user, form.new.data, actor=current_user)
        # keep this session alive with the new session version (pass the real object: a proxy
        # stored as the logged-in user would point at itself)
        login_user(current_user._get_current_object())
        flash(_("Your password is changed. Other sessions are logged out."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/preferences", methods=["POST"])
@require("agent")
def preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        current_user.locale = form.locale.data or None
        # The account's choice replaces any pick made with the language switch earlier.
        session.pop(SESSION_KEY, None)
        db.session.commit()
        flash(_("Preferences saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/admin/users", methods=["GET", "POST"])
@require("admin")
def users():
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.username.data, form.password.data, form.role.data,
                                        form.display_name.data or "", actor=current_user)
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    rows = db.session.scalars(select(User).order_by(User.role.desc(), User.username)).all()
    return render_template("accounts/users.html", users=rows, form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require("admin")
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            services.change_role(user, form.role.data, actor=current_user)
            services.set_active(user, form.active.data, actor=current_user)
            if form.new_password.data:
                services.set_password(user, form.new_password.data, actor=current_user)
        except services.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("User %(name)s saved.", name=user.username), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/edit_user.html", user=user, form=form)


@bp.route("/admin/audit")
@require("admin")
def audit_log():
    page = db.paginate(select(AuditEntry).order_by(AuditEntry.id.desc()), per_page=50,
                       error_out=False)
    return render_template("accounts/audit.html", page=page)
