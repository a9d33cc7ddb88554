"""Least privilege, proven: what every person gets at every address the service has.

Every URL pattern the resolver knows (the Wagtail admin included) is requested by eight
people: a signed-out visitor; work coach A, who has finished a module; work coach B, in
the same office, who has only started it; a team leader of another office; a trainer;
evaluator A, who has an export; evaluator B; and an administrator. Trainers, evaluators
and administrators have an authenticator app, so the table measures their roles, not
the two-factor gate. Each test signs in as one person, requests every address and
lists every wrong cell in one message.

Adding an address
    A new URL pattern with no row here fails ``test_every_address_has_a_row``, naming
    it. Add one line to ``MATRIX``: the pattern's name (``namespace:name``; its route
    if it has no name; ``name@variant`` for the variants in ``matrix.VARIANTS``) or a
    rule (a prefix ending in ``*``, used when no exact row matches), then one cell per
    person and a short reason. If the pattern takes an argument the support module does
    not know yet, ``test_every_address_has_a_row`` says which: give it a value in
    ``BY_ARGUMENT``, ``BY_NAMESPACE`` or ``BY_PATTERN`` in ``tests/accounts/matrix.py``.
    A row that no longer matches anything fails ``test_every_row_is_used``.

Cells
    a status (``200``, ``403``, ``404``, ``405``, ``500``), ``>/path/`` for a redirect
    there, or one of the ``ALIASES`` below. ``no`` is Wagtail's own refusal to someone
    who may use the admin but not that part of it: back to the dashboard, saying they
    lack permission. Where a person is kept out of an address (``login``, ``no``,
    ``403``, ``404``), a POST must keep them out too; ``POSTS`` lists the addresses
    where what a POST does needs checking beyond that.

Nothing a request changes is kept: each runs in a transaction that is rolled back.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from tests.accounts import matrix

pytestmark = pytest.mark.django_db

ALIASES = {
    "login": ">/accounts/login/?next=",  # sent to sign in, and back afterwards
    "signin": ">/accounts/login/",
    "no": "refused",
    "resume": ">/learn/resume/",
    "reauth": ">/accounts/reauthenticate/",
    "reset": ">/accounts/password/reset/",
    "start": ">/learn/disclosure-conversations/",  # the module's start page
    "stepB": ">/learn/disclosure-conversations/survey/pre/",  # where coach B is
    "done": ">/learn/disclosure-conversations/completed/",  # where coach A is
    "result": ">/learn/attempts/*",
    "pages": ">/admin/pages/*",
    "kept": ">/admin/snippets/assessments/*",
}

# Who is who: anon = signed out; coachA finished the module (certificate, answers);
# coachB is in the same office and only started it; leader leads another office;
# evalA owns export ofA, evalB owns ofB.
# fmt: off
MATRIX = """
# pattern                                        anon   coachA coachB leader trainer evalA  evalB  admin  why

# Signing in, out and two-factor authentication: allauth's pages, open to all or to the signed-in person.
wagtailadmin_login                               signin 403    403    403    signin  403    403    signin the admin signs in through allauth; signed in without admin access: 403
wagtailcore_login                                signin signin signin signin signin  signin signin signin page privacy signs in through allauth too
account_login                                    200    resume resume resume resume  resume resume resume signed-in people go back to their work
account_logout                                   >/     200    200    200    200     200    200    200    asks before signing out
account_inactive                                 200    200    200    200    200     200    200    200    a notice, no data
# Single sign-on (allauth.socialaccount): off in the tests, so the provider's addresses answer 404.
openid_connect_login                             404    404    404    404    404     404    404    404    single sign-on is off unless OIDC_* is set
openid_connect_callback                          404    404    404    404    404     404    404    404    single sign-on is off unless OIDC_* is set
socialaccount_login_cancelled                    200    200    200    200    200     200    200    200    a notice, no data
socialaccount_login_error                        401    401    401    401    401     401    401    401    a notice that single sign-on failed (allauth answers 401)
socialaccount_signup                             signin signin signin signin signin  signin signin signin only during a single sign-on
socialaccount_connections                        login  200    200    200    200     200    200    200    one's own connected accounts
accounts/social/login/cancelled/                 >/accounts/3rdparty/login/cancelled/ >/accounts/3rdparty/login/cancelled/ >/accounts/3rdparty/login/cancelled/ >/accounts/3rdparty/login/cancelled/ >/accounts/3rdparty/login/cancelled/ >/accounts/3rdparty/login/cancelled/ >/accounts/3rdparty/login/cancelled/ >/accounts/3rdparty/login/cancelled/  allauth's older address, sent on
accounts/social/login/error/                     >/accounts/3rdparty/login/error/ >/accounts/3rdparty/login/error/ >/accounts/3rdparty/login/error/ >/accounts/3rdparty/login/error/ >/accounts/3rdparty/login/error/ >/accounts/3rdparty/login/error/ >/accounts/3rdparty/login/error/ >/accounts/3rdparty/login/error/  allauth's older address, sent on
accounts/social/signup/                          >/accounts/3rdparty/signup/ >/accounts/3rdparty/signup/ >/accounts/3rdparty/signup/ >/accounts/3rdparty/signup/ >/accounts/3rdparty/signup/ >/accounts/3rdparty/signup/ >/accounts/3rdparty/signup/ >/accounts/3rdparty/signup/  allauth's older address, sent on
accounts/social/connections/                     >/accounts/3rdparty/ >/accounts/3rdparty/ >/accounts/3rdparty/ >/accounts/3rdparty/ >/accounts/3rdparty/ >/accounts/3rdparty/ >/accounts/3rdparty/ >/accounts/3rdparty/  allauth's older address, sent on
account_signup                                   200    resume resume resume resume  resume resume resume shows that sign-up is closed (accounts are made by administrators)
account_reauthenticate                           login  200    200    200    200     200    200    200    confirms the signed-in person's password
account_request_reauthentication_code            login  200    200    200    200     200    200    200    the same, by code
account_confirm_reauthentication_code            login  >/accounts/reauthenticate/code/ >/accounts/reauthenticate/code/ >/accounts/reauthenticate/code/ >/accounts/reauthenticate/code/ >/accounts/reauthenticate/code/ >/accounts/reauthenticate/code/ >/accounts/reauthenticate/code/ no code was asked for
account_email                                    login  200    200    200    200     200    200    200    one's own email addresses
account_email_verification_sent                  200    200    200    200    200     200    200    200    a notice, no data
account_change_password                          login  200    200    200    200     200    200    200    one's own password
account_set_password                             login  >/accounts/password/change/ >/accounts/password/change/ >/accounts/password/change/ >/accounts/password/change/ >/accounts/password/change/ >/accounts/password/change/ >/accounts/password/change/ everyone already has a password
account_reset_password                           200    200    200    200    200     200    200    200    asks for an email address; says nothing of who has an account
account_confirm_login_code                       signin resume resume resume resume  resume resume resume no code was sent
account_confirm_email                            200    200    200    200    200     200    200    200    an unknown key shows an error
account_reset_password_from_key_done             200    200    200    200    200     200    200    200    a notice, no data
account_reset_password_from_key                  200    200    200    200    200     200    200    200    an unknown key shows an error
account_reset_password_done                      200    200    200    200    200     200    200    200    a notice, no data
mfa_index                                        login  200    200    200    200     200    200    200    one's own two-factor settings
mfa_authenticate                                 signin resume resume resume resume  resume resume resume only during a sign-in
mfa_reauthenticate                               login  reauth reauth reauth 200     200    200    200    by code, for those with an authenticator
mfa_activate_totp                                login  reauth reauth reauth reauth  reauth reauth reauth setting up asks for the password again
mfa_deactivate_totp                              login  404    404    404    reauth  reauth reauth reauth nothing to remove without an authenticator; otherwise the password again
mfa_view_recovery_codes                          login  404    404    404    reauth  reauth reauth reauth one's own codes, made with the authenticator app; the password again first
mfa_generate_recovery_codes                      login  reauth reauth reauth reauth  reauth reauth reauth asks for the password again
mfa_download_recovery_codes                      login  404    404    404    reauth  reauth reauth reauth one's own codes, made with the authenticator app; the password again first
accounts_profile                                 login  200    200    200    200     200    200    200    one's own account page

# Public pages: the home page, the list of modules, checking a certificate.
wagtail_serve@home                               200    200    200    200    200     200    200    200    public, so people can find the sign-in
wagtail_serve@modules                            200    200    200    200    200     200    200    200    public list of module titles
wagtail_serve@missing                            404    404    404    404    404     404    404    404    no such page
wagtail_serve@restricted                         200    200    200    200    200     200    200    200    a page behind a shared password (none can be set now) shows the form, not the page
wagtailcore_authenticate_with_password           404    404    404    404    404     404    404    404    shared page passwords are off
wagtaildocs_authenticate_with_password           404    404    404    404    404     404    404    404    shared document passwords are off
_util/authenticate_with_password/                404    404    404    404    404     404    404    404    shared page passwords are off, whatever follows
documents/authenticate_with_password/            404    404    404    404    404     404    404    404    shared document passwords are off, whatever follows
certificate_verify                               200    200    200    200    200     200    200    200    anyone can check a certificate
certificate_verify_code@ofA                      200    200    200    200    200     200    200    200    shows the module, date and validity, never the name
certificate_verify_code@unknown                  200    200    200    200    200     200    200    200    says the code is not known
wagtaildocs_serve                                200    200    200    200    200     200    200    200    Wagtail sends a document to anyone with its address (lesson documents are public material)

# Learning: signed-in people; a coach's own journey, certificate and answers are theirs alone.
wagtail_serve@module                             login  200    200    200    200     200    200    200    module pages need a signed-in user
wagtail_serve@lesson                             login  200    stepB  start  200     start  start  200    a coach reads lessons once the baseline is done; authors read freely
search                                           login  200    200    200    200     200    200    200    searches the modules
learning:dashboard                               login  200    200    200    200     200    200    200    one's own modules
learning:resume                                  login  >/learn/ stepB >/learn/ >/learn/ >/learn/ >/learn/ >/learn/ to one's own next step
learning:evaluation_choice                       login  200    200    200    200     200    200    200    one's own choice
learning:module                                  login  done   stepB  200    200     200    200    200    the start page, or one's own step
learning:privacy                                 login  done   stepB  start  start   start  start  start  only at one's own step
learning:quiz@pre                                login  result stepB  start  start   start  start  start  only at one's own step; done, to one's own result
learning:quiz@post                               login  result stepB  start  start   start  start  start  only at one's own step; done, to one's own result
learning:survey@pre                              login  done   200    start  start   start  start  start  only at one's own step
learning:survey@post                             login  done   stepB  start  start   start  start  start  only at one's own step
learning:survey@follow_up                        login  done   stepB  start  start   start  start  start  only at one's own step
learning:lessons                                 login  200    stepB  start  start   start  start  start  only after one's own baseline
learning:completed                               login  200    stepB  start  start   start  start  start  only one's own completion
learning:certificate                             login  200    404    404    404     404    404    404    coach A's certificate is coach A's alone
learning:certificate_pdf                         login  200    404    404    404     404    404    404    coach A's certificate is coach A's alone
learning:quiz_result@ofA                         login  200    404    404    404     404    404    404    coach A's answers are coach A's alone
learning:quiz_result@ofA_pre                     login  200    404    404    404     404    404    404    coach A's answers are coach A's alone
learning:team                                    login  403    403    200    403     403    403    200    team leaders (their own office) and administrators

# The evaluator area: evaluators only; each export is its requester's alone.
evaluation:overview                              login  403    403    403    403     200    200    403    evaluation figures are for evaluators
evaluation:module                                login  403    403    403    403     200    200    403    evaluation figures are for evaluators
evaluation:exports                               login  403    403    403    403     200    200    403    exports are for evaluators
evaluation:export_detail@ofA                     login  403    403    403    403     200    404    403    evaluator A's export is A's alone
evaluation:export_detail@ofB                     login  403    403    403    403     404    200    403    evaluator B's export is B's alone
evaluation:export_status@ofA                     login  403    403    403    403     200    404    403    evaluator A's export is A's alone
evaluation:export_download@ofA                   login  403    403    403    403     200    404    403    evaluator B must not download A's export
evaluation:export_download@ofB                   login  403    403    403    403     404    200    403    evaluator A must not download B's export

# The Wagtail admin. Anyone signed in without admin access gets a 403 for every /admin/ address, in one response.
# Trainers author pages, quizzes, surveys, images and documents; administrators also manage people and offices.
wagtailadmin_password_reset                      reset  403    403    403    reset   403    403    reset  passwords are reset through allauth; signed in without admin access: 403
wagtailadmin_password_reset_done                 reset  403    403    403    reset   403    403    reset  passwords are reset through allauth; signed in without admin access: 403
wagtailadmin_password_reset_confirm              reset  403    403    403    reset   403    403    reset  passwords are reset through allauth; signed in without admin access: 403
wagtailadmin_password_reset_complete             reset  403    403    403    reset   403    403    reset  passwords are reset through allauth; signed in without admin access: 403
wagtailadmin_sprite                              200    403    403    403    200     403    403    200    the admin's icons, no data (the sign-in page uses none)
wagtailadmin_javascript_catalog                  200    403    403    403    200     403    403    200    the admin's translations, no data
admin/.*/                                        >/admin/login/?next= 403 403 403 404    403    403    404    an unknown admin address; signed out: the admin's sign-in, which sends on to allauth
admin/test404/                                   login  403    403    403    200     403    403    200    Wagtail's "not found" page, shown to admin users
wagtailadmin_home                                login  403    403    403    200     403    403    200    the dashboard
wagtailadmin_error_test                          login  403    403    403    500     403    403    500    Wagtail's deliberate error, for checking error pages
wagtailadmin_account                             login  403    403    403    200     403    403    200    one's own admin settings
wagtailadmin_logout                              login  403    403    403    405     403    403    405    signs out by POST only
wagtailadmin_block_preview                       login  403    403    403    404     403    403    404    needs a block to preview
wagtail_bulk_action                              login  403    403    403    404     403    403    404    needs the pages to act on
wagtailadmin_api:*                               login  403    403    403    200     403    403    200    the admin's own API, for its choosers and page tree
wagtailadmin_api:pages:find                      login  403    403    403    404     403    403    404    needs an address to find
wagtailadmin_api:documents:find                  login  403    403    403    404     403    403    404    needs an address to find
wagtailadmin_api:images:find                     login  403    403    403    404     403    403    404    needs an address to find
wagtailadmin_api:pages:action                    login  403    403    403    405     403    403    405    actions by POST only
wagtailadmin_explore*                            login  403    403    403    200     403    403    200    the page tree
wagtailadmin_choose_*                            login  403    403    403    200     403    403    200    choosers, for linking pages
wagtailadmin_tag_*                               login  403    403    403    200     403    403    200    tag suggestions
wagtailadmin_dismissibles                        login  403    403    403    200     403    403    200    one's own dismissed hints
wagtailadmin_editing_sessions:*                  login  403    403    403    405     403    403    405    by POST only
wagtailadmin_pages:*                             login  403    403    403    200     403    403    200    trainers and administrators author and publish pages
wagtailadmin_pages:delete                        login  403    403    403    pages   403    403    200    only administrators delete pages: trainers go back to the page, told they may not
wagtailadmin_pages:add_subpage                   login  403    403    403    >/admin/pages/add/content/lessonpage/* 403 403 >/admin/pages/add/content/lessonpage/* a module takes only lessons
wagtailadmin_pages:revisions_index               login  403    403    403    pages   403    403    pages  moved to the page's history
wagtailadmin_pages:convert_alias                 login  403    403    403    404     403    403    404    the lesson is not an alias
wagtailadmin_pages:set_page_position             login  403    403    403    405     403    403    405    by POST only
wagtailadmin_pages:lock                          login  403    403    403    405     403    403    405    by POST only
wagtailadmin_pages:unlock                        login  403    403    403    405     403    403    405    by POST only
wagtailadmin_pages:workflow_action               login  403    403    403    no      403    403    200    approving is for the Administrator group named by the task
wagtailadmin_pages:collect_workflow_action_data  login  403    403    403    no      403    403    200    approving is for the Administrator group named by the task
wagtailadmin_pages:workflow_preview              login  403    403    403    no      403    403    200    reviewing is for the Administrator group named by the task
wagtailadmin_reports:*                           login  403    403    403    200     403    403    200    Wagtail's page reports
learning_reports:*                               login  403    403    403    200     403    403    200    cohort progress: totals, no names, for trainers and administrators
evaluation_audit:*                               login  403    403    403    no      403    403    200    the export audit log is for administrators
accounts_audit:*                                 login  403    403    403    no      403    403    200    the audit log is for administrators
authoring_guide                                  login  403    403    403    200     403    403    200    the authoring guide, in the admin's Help menu
wagtailforms:index                               login  403    403    403    200     403    403    200    an empty list: the service has no form pages
wagtailforms:index_results                       login  403    403    403    200     403    403    200    an empty list: the service has no form pages
wagtailforms:list_submissions                    login  403    403    403    404     403    403    404    the service has no form pages
wagtailforms:list_submissions_results            login  403    403    403    404     403    403    404    the service has no form pages
wagtailforms:delete_submissions                  login  403    403    403    no      403    403    no     nobody deletes form submissions
wagtailsettings:*                                login  403    403    403    404     403    403    404    the service registers no settings
wagtailembeds:*                                  login  403    403    403    200     403    403    200    embedding videos in lessons
wagtailsnippets:index                            login  403    403    403    no      403    403    no     quizzes and surveys have their own menu
wagtailsnippets_assessments_*                    login  403    403    403    200     403    403    200    trainers and administrators write and publish quizzes and surveys
wagtailsnippetchoosers_assessments_*             login  403    403    403    200     403    403    200    choosing a quiz or survey for a module
wagtailsnippets_assessments_quiz:delete          login  403    403    403    kept    403    403    kept   an answered quiz cannot be deleted
wagtailsnippets_assessments_confidencesurvey:delete login 403   403    403    kept    403    403    kept   an answered survey cannot be deleted
wagtailsnippets_assessments_quiz:lock            login  403    403    403    no      403    403    405    in review: only the reviewers may lock it (by POST)
wagtailsnippets_assessments_quiz:unlock          login  403    403    403    no      403    403    no     in review, and not locked
wagtailsnippets_assessments_quiz:workflow_action login  403    403    403    no      403    403    200    approving is for the Administrator group named by the task
wagtailsnippets_assessments_quiz:collect_workflow_action_data login 403 403 403 no   403    403    200    approving is for the Administrator group named by the task
wagtailsnippets_assessments_quiz:workflow_preview login 403    403    403    no      403    403    200    reviewing is for the Administrator group named by the task
wagtailsnippets_assessments_confidencesurvey:lock login 403    403    403    405     403    403    405    by POST only
wagtailsnippets_assessments_confidencesurvey:unlock login 403  403    403    405     403    403    405    by POST only
wagtailsnippets_assessments_confidencesurvey:workflow_action login 403 403 403 kept 403    403    kept   the survey is not in review
wagtailsnippets_assessments_confidencesurvey:collect_workflow_action_data login 403 403 403 kept 403 403 kept the survey is not in review
wagtailsnippets_assessments_confidencesurvey:workflow_preview login 403 403 403 >/admin/ 403    403    >/admin/ the survey is not in review: back to the dashboard
wagtailsnippets_assessments_confidencesurvey:workflow_history_detail login 403 403 403 404 403 403 404   the survey has no review
wagtailimages*                                   login  403    403    403    200     403    403    200    trainers and administrators manage images (Wagtail counts deleting as changing)
wagtailimages:url_generator                      login  403    403    403    404     403    403    404    dynamic image addresses are off
wagtailimages:url_generator_output               login  403    403    403    404     403    403    404    dynamic image addresses are off
wagtailimages:edit_multiple                      login  403    403    403    405     403    403    405    by POST only
wagtailimages:create_multiple_from_uploaded_image login 403    403    403    405     403    403    405    by POST only
wagtailimages:delete_multiple                    login  403    403    403    405     403    403    405    by POST only
wagtailimages:delete_upload_multiple             login  403    403    403    405     403    403    405    by POST only
wagtaildocs*                                     login  403    403    403    200     403    403    200    trainers and administrators manage documents (Wagtail counts deleting as changing)
wagtaildocs:edit_multiple                        login  403    403    403    405     403    403    405    by POST only
wagtaildocs:create_multiple_from_uploaded_document login 403   403    403    405     403    403    405    by POST only
wagtaildocs:delete_multiple                      login  403    403    403    405     403    403    405    by POST only
wagtaildocs:delete_upload_multiple               login  403    403    403    405     403    403    405    by POST only
wagtailadmin_collections:*                       login  403    403    403    no      403    403    no     nobody changes collections
wagtailadmin_collections:delete                  login  403    403    403    404     403    403    404    nobody deletes collections
wagtailadmin_workflows:*                         login  403    403    403    no      403    403    no     nobody changes workflows
wagtailadmin_workflows:enable                    login  403    403    403    405     403    403    405    by POST only
wagtailadmin_workflows:remove                    login  403    403    403    405     403    403    405    by POST only
wagtailadmin_workflows:enable_task               login  403    403    403    405     403    403    405    by POST only
wagtailadmin_workflows:task_chooser*             login  403    403    403    200     403    403    200    lists review tasks; creating one needs a permission nobody has
wagtailadmin_workflows:task_chosen               login  403    403    403    200     403    403    200    the chosen task's name
wagtailredirects:*                               login  403    403    403    no      403    403    no     nobody manages redirects
wagtailsites:*                                   login  403    403    403    no      403    403    no     nobody changes the site
office:*                                         login  403    403    403    no      403    403    200    administrators keep offices up to date
office:delete                                    login  403    403    403    no      403    403    no     offices are never deleted (people belong to them)
region:*                                         login  403    403    403    no      403    403    200    administrators keep regions up to date
region:delete                                    login  403    403    403    no      403    403    no     regions are never deleted (offices belong to them)
wagtailusers_users:*                             login  403    403    403    no      403    403    200    administrators manage people
wagtailusers_groups:*                            login  403    403    403    no      403    403    no     roles change only by migration
wagtailusers_groups:index                        login  403    403    403    no      403    403    200    administrators see the roles
wagtailusers_groups:index_results                login  403    403    403    no      403    403    200    administrators see the roles
"""
# fmt: on

# POSTs worth checking beyond "kept out on GET, kept out on POST": writes that a GET
# alone would not show. Same columns; empty forms are posted.
# fmt: off
POSTS = """
# pattern                                        anon   coachA coachB leader trainer evalA  evalB  admin  why
learning:module                                  login  done   stepB  >/learn/disclosure-conversations/privacy/ >/learn/disclosure-conversations/privacy/ >/learn/disclosure-conversations/privacy/ >/learn/disclosure-conversations/privacy/ >/learn/disclosure-conversations/privacy/ anyone signed in may start a module, for themselves
evaluation:exports                               login  403    403    403    403     200    200    403    only evaluators start exports (an empty form is refused)
wagtailadmin_pages:delete                        login  403    403    403    pages   403    403    pages  trainers go back to the lesson, which stays (tests/content/test_deleting.py); administrators delete it
wagtailadmin_workflows:task_chooser_create       login  403    403    403    400     403    403    400    nobody may create review tasks
wagtailusers_groups:edit                         login  403    403    403    no      403    403    no     roles change only by migration
office:delete                                    login  403    403    403    no      403    403    no     offices are never deleted
"""
# fmt: on

ROWS = matrix.parse_matrix(MATRIX, ALIASES)
POST_ROWS = matrix.parse_matrix(POSTS, ALIASES)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The people and objects, made once for the module and rolled back at its end.
    Files go to a folder on disk, as in the service, so documents can be sent."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("media"))},
        },
    }
    with override_settings(STORAGES=storages), django_db_blocker.unblock():
        with transaction.atomic():
            yield matrix.build_world()
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def instances(world):
    return matrix.url_instances(world)


def test_every_address_has_a_row(world):
    missing, unfilled = [], []
    try:
        found = matrix.url_instances(world)
    except matrix.MissingArgument as exc:
        unfilled.append(str(exc))
        found = []
    for instance in found:
        if matrix.row_for(instance.key, ROWS) is None:
            missing.append(f"{instance.key} ({instance.path})")
    assert not unfilled, "\n".join(unfilled)
    assert not missing, (
        "These addresses have no row in MATRIX (tests/accounts/test_permission_matrix.py); "
        "add one per address saying who may use it:\n  " + "\n  ".join(missing)
    )


def test_every_row_is_used(instances):
    keys = [instance.key for instance in instances]
    used = {id(matrix.row_for(key, ROWS)) for key in keys}
    stale = [row.selector for row in ROWS if id(row) not in used]
    stale += [row.selector for row in POST_ROWS if row.selector not in keys]
    assert not stale, "Rows that match no address; remove them:\n  " + "\n  ".join(stale)


def client_for(role, world):
    client = Client()
    if role != "anon":
        matrix.sign_in(client, world.users[role])
    return client


def compare(client, role, world, method, instance, cell):
    """What is wrong with one cell, or None."""
    response = matrix.request(client, method, instance.path)
    wrong = None
    if not cell.matches(response):
        wrong = f"expected {cell.text}, got {matrix.describe(response)}"
    elif (
        response.status_code == 200
        and role not in ("coachA", "admin")
        and matrix.shows_coach_a(response)
    ):
        wrong = "shows coach A's name or email address"
    if role != "anon" and not matrix.is_signed_in(client):
        matrix.sign_in(client, world.users[role])  # a sign-out address did sign out
    if wrong:
        return f"{method.upper()} {instance.path} ({instance.key}) as {role}: {wrong}"
    return None


def kept_out(response) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if matrix.Cell("no", refused=True).matches(response):
        return True
    location = response.get("Location") or ""
    return location.startswith((matrix.LOGIN, "/admin/login/?next="))


@pytest.mark.parametrize("role", matrix.ROLES)
def test_what_each_person_gets(role, world, instances):
    """GET every address as one person; where they are kept out, POST must keep them
    out too. Every wrong cell is listed."""
    client = client_for(role, world)
    wrong = []
    for instance in instances:
        row = matrix.row_for(instance.key, ROWS)
        if row is None:
            continue  # reported by test_every_address_has_a_row
        cell = row.cells[role]
        problem = compare(client, role, world, "get", instance, cell)
        if problem:
            wrong.append(problem)
        if cell.denies and not any(r.selector == instance.key for r in POST_ROWS):
            response = matrix.request(client, "post", instance.path)
            if not kept_out(response):
                wrong.append(
                    f"POST {instance.path} ({instance.key}) as {role}: kept out on GET, "
                    f"but the POST got {matrix.describe(response)}"
                )
            if role != "anon" and not matrix.is_signed_in(client):
                matrix.sign_in(client, world.users[role])
    for row in POST_ROWS:
        for instance in (i for i in instances if i.key == row.selector):
            problem = compare(client, role, world, "post", instance, row.cells[role])
            if problem:
                wrong.append(problem)
    assert not wrong, f"{len(wrong)} wrong cells for {role}:\n  " + "\n  ".join(wrong)
