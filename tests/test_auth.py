import re

import pytest

from tests.conftest import PASSWORD, csrf, login, make_user
from tracker.auth.access import PUBLIC_ENDPOINTS


def test_sign_in_page_has_email_and_password_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page and "csrf_token" in page


def test_sign_in_success_lands_on_panel(client, clinician):
    response = login(client, clinician.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/patients/")
    assert client.get("/patients/").status_code == 200


def test_sign_in_ignores_email_case(client, clinician):
    assert login(client, clinician.email.upper()).status_code == 302


@pytest.mark.parametrize("email", ["nobody@example.org", None])
def test_sign_in_failure_says_the_same_for_unknown_email_and_wrong_password(client, clinician,
                                                                            email):
    response = login(client, email or clinician.email, "wrong password" if not email else PASSWORD)
    assert response.status_code == 401
    assert "Email or password is not right." in response.get_data(as_text=True)
    assert client.get("/patients/").status_code == 302


def test_inactive_user_cannot_sign_in(client, db):
    user = make_user(active=False)
    db.session.commit()
    assert login(client, user.email).status_code == 401


def test_password_is_hashed_not_stored(db):
    user = make_user()
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD) and not user.check_password("nope")


def test_production_hash_is_scrypt(app, db):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    assert make_user().password_hash.startswith("scrypt:")


def test_next_parameter_is_followed_only_on_this_site(client, clinician):
    data = {"email": clinician.email, "password": PASSWORD, "csrf_token": csrf(client, "/login")}
    assert client.post("/login?next=/patients/new", data=data).headers["Location"] \
        == "/patients/new"
    client.post("/logout", data={"csrf_token": csrf(client, "/patients/new")})
    data["csrf_token"] = csrf(client, "/login")
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.headers["Location"].endswith("/patients/")


def test_sign_out_needs_post_and_ends_the_session(signed_in):
    assert signed_in.get("/logout").status_code == 405
    page = signed_in.get("/patients/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert signed_in.post("/logout", data={"csrf_token": token}).status_code == 302
    assert signed_in.get("/patients/").status_code == 302


def test_form_post_without_csrf_token_is_refused(client, clinician):
    response = client.post("/login", data={"email": clinician.email, "password": PASSWORD})
    assert response.status_code == 400


def _example_url(rule) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^<>]*:)?{arg}>", "trials" if arg == "kind" else "1", url)
    assert "<" not in url, url
    return url


def test_every_non_public_route_redirects_when_signed_out(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(_example_url(rule), method=method)
            assert response.status_code == 302, (rule.rule, method)
            assert "/login" in response.headers["Location"], rule.rule
            checked += 1
    assert checked >= 4
