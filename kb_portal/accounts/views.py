"""Login, logout, own account, and user administration.

Every view that changes something commits once at its end (``kb_portal.transaction``).
"""
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

from .. import transaction
from ..audit import AuditEntry
from ..extensions import db
from ..i18n.locales import SESSION_KEY
from ..redirects import local_target
from . import people, services
from .access import public, require
from .forms import ChangePasswordForm, CreateUserForm, EditUserForm, LoginForm, PreferencesForm
from .models import User
from .throttle import throttle

bp = Blueprint("accounts", __name__)
bp.add_app_template_global(people.display_name, "person_name")
bp.add_app_template_global(people.role_label, "role_label")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Log in; throttled per account name and per client address (accounts/throttle.py).

    :raise 429: (the login page with a message) while the name or address has to wait.
    """
    if current_user.is_authenticated:
        return redirect(url_for("kb.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    verdict = throttle().check(form.username.data, request.remote_addr)
    if not verdict.allowed:
        # The same words whether or not the account exists.
        flash(_("Too many failed logins. Wait %(n)d seconds, then try again.",
                n=verdict.wait), "error")
        return (render_template("accounts/login.html", form=form), 429,
                {"Retry-After": str(verdict.wait)})
    user = services.authenticate(form.username.data, form.password.data)
    if user is None:
        throttle().failed(form.username.data, request.remote_addr)
        transaction.commit()
        flash(_("Wrong user name or password, or the account is deactivated."), "error")
        return render_template("accounts/login.html", form=form)
    throttle().succeeded(form.username.data)
    services.start_session(user)
    transaction.commit()
    login_user(user, remember=form.remember.data)
    return redirect(local_target(request.args.get("next")) or url_for("kb.home"))


@bp.route("/logout", methods=["POST"])
@require("agent")
def logout():
    """End this login: the session row is closed, so a copy of this browser's cookies stops
    working too; the user's other devices stay logged in."""
    services.end_session(current_user.login_session_id)
    transaction.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account")
@require("agent")
def account():
    return render_template("accounts/account.html", pw_form=ChangePasswordForm(),
                           pref_form=PreferencesForm(locale=current_user.locale or ""),
                           token_count=services.active_token_count(current_user))


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
        user = current_user._get_current_object()  # the object, not the proxy (login_user)
        try:
            revoked = services.set_password(user, form.new.data, actor=user)
            services.start_session(user)  # this browser stays logged in, the others do not
            transaction.commit()
        except services.AccountError as exc:
            transaction.rollback()
            flash(str(exc), "error")
        else:
            login_user(user)
            flash(_("Your password is changed. Other sessions are logged out."), "success")
            if revoked:
                flash(_("Your %(n)d API token(s) were revoked; ask an admin for new ones.",
                        n=revoked), "info")
    return redirect(url_for("accounts.account"))


@bp.route("/account/preferences", methods=["POST"])
@require("agent")
def preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        current_user.locale = form.locale.data or None
        # The account's choice replaces any pick made with the language switch earlier.
        session.pop(SESSION_KEY, None)
        transaction.commit()
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
            transaction.commit()
        except services.AccountError as exc:
            transaction.rollback()
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
            transaction.commit()  # all three changes, or (on any error) none of them
        except services.AccountError as exc:
            transaction.rollback()
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
