import pytest
from citypeers.accounts.models import User

@pytest.mark.django_db
def test_probe(client, mailoutbox):
    for url in ["/api/v1/countries/FRA", "/api/v1/countries/ZZZ", "/api/v1/countries?limit=101", "/api/v1/countries?limit=2&offset=1", "/api/v1/places/search?q=londres&limit=1", "/api/v1/places/search?q=sa&limit=1", "/api/v1/cities/99999999999999999999", "/api/v1/cities/2988507", "/api/v1/places/search?q=", "/api/v1/places/search"]:
        r = client.get(url)
        print(url, r.status_code, r["Content-Type"], r.content[:600])
    r = client.get("/api/v1/countries/DEU", HTTP_ACCEPT_LANGUAGE="fr")
    print(r.content)
    for url in ["/en/places/cities/99999999999999999999/", "/en/places/countries/zzz/", "/fr/places/countries/deu/", "/en/accounts/sign-up/"]:
        r = client.get(url)
        print(url, r.status_code, r.content.decode()[:200] if r.status_code != 200 else "")
    r = client.get("/en/accounts/sign-up/")
    import re
    print(re.findall(r'name="([^"]+)"', r.content.decode()))
    u = User.objects.create_user(username="alice", email="alice@example.com", password="Right-pass-123", display_name="Ann O'Brien")
    for i in range(5):
        r = client.post("/en/accounts/log-in/", {"username": "alice", "password": "wrong"})
        print("fail", i, r.status_code)
    r = client.post("/en/accounts/log-in/", {"username": "alice", "password": "Right-pass-123"})
    print("locked?", r.status_code, r.content.decode()[:100] if r.status_code != 302 else r.url)
    r = client.post("/en/accounts/log-in/", {"username": "ALICE@example.com", "password": "Right-pass-123"})
    print("email variant", r.status_code, r.get("Location"))
    client.logout()
    r = client.post("/en/accounts/password-reset/", {"email": "alice@example.com"})
    print(r.status_code, r.get("Location"), len(mailoutbox))
    m = mailoutbox[0]
    print(m.subject, "\n", m.body, m.to, m.from_email)
