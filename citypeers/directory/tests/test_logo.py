"""An organisation's logo: uploaded by its editors in the browser or over the API, redrawn as a
small PNG without the file's metadata, served publicly, replaced and removed without leaving
files behind."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image

from citypeers.accounts.models import AuditEvent, OrganisationRole
from citypeers.accounts.tests.factories import UserFactory
from citypeers.core.errors import ApplicationError, PermissionDenied
from citypeers.directory import services
from citypeers.directory.models import Organisation
from citypeers.directory.tests.factories import OrganisationFactory, OrganisationRoleFactory
from citypeers.directory.tests.test_api import bearer, problem

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'


def picture(kind="JPEG", size=(1600, 800), exif=False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010E] = "secret place"  # ImageDescription
        image.save(out, format=kind, exif=data)
    else:
        image.save(out, format=kind)
    return out.getvalue()


def upload(content: bytes, name="logo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor_and_org():
    organisation = OrganisationFactory(name="Ville de Lyon")
    editor = UserFactory()
    OrganisationRoleFactory(
        organisation=organisation, user=editor, role=OrganisationRole.Role.EDITOR
    )
    return editor, organisation


def stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_the_logo_is_redrawn_as_a_small_png_without_metadata(editor_and_org, media):
    editor, organisation = editor_and_org

    services.organisation_set_logo(
        actor=editor, organisation=organisation, upload=upload(picture(exif=True))
    )

    organisation.refresh_from_db()
    with organisation.logo.open("rb") as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "PNG"
        assert stored.size == (512, 256)  # longest side 512, proportions kept
        assert not stored.getexif()
    assert b"secret place" not in data
    assert AuditEvent.objects.filter(
        verb="organisation.logo", target_id=str(organisation.pk)
    ).exists()


def test_replacing_and_removing_leave_no_file_behind(
    editor_and_org, media, django_capture_on_commit_callbacks
):
    editor, organisation = editor_and_org
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_set_logo(
            actor=editor, organisation=organisation, upload=upload(picture())
        )
    first = stored_files(media)
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_set_logo(
            actor=editor, organisation=organisation, upload=upload(picture("PNG"), "new.png")
        )
    second = stored_files(media)
    assert len(first) == len(second) == 1 and first != second

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_set_logo(actor=editor, organisation=organisation, upload=None)

    assert stored_files(media) == []
    assert not Organisation.objects.get(pk=organisation.pk).logo


def test_a_change_that_fails_after_the_file_is_written_keeps_nothing(editor_and_org, media):
    _editor, organisation = editor_and_org
    moderator = UserFactory(is_moderator=True)
    Organisation.objects.filter(pk=organisation.pk).delete()  # gone while the form was open

    with pytest.raises(DatabaseError):
        services.organisation_set_logo(
            actor=moderator, organisation=organisation, upload=upload(picture())
        )

    # The row could not be saved; the file written for it must not stay as an orphan.
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("content", "name"),
    [(SVG, "logo.png"), (b"<html><script>alert(1)</script></html>", "logo.jpg"), (b"", "logo.gif")],
)
def test_what_is_not_a_picture_is_refused_naming_the_field(editor_and_org, media, content, name):
    editor, organisation = editor_and_org

    with pytest.raises(ApplicationError) as refused:
        services.organisation_set_logo(
            actor=editor, organisation=organisation, upload=upload(content, name)
        )

    assert refused.value.field == "logo"
    assert stored_files(media) == []


def test_only_editors_change_the_logo(editor_and_org):
    _editor, organisation = editor_and_org
    with pytest.raises(PermissionDenied):
        services.organisation_set_logo(
            actor=UserFactory(), organisation=organisation, upload=upload(picture())
        )


class TestPages:
    def test_an_editor_uploads_and_everyone_sees_it(self, client, editor_and_org):
        editor, organisation = editor_and_org
        client.force_login(editor)
        url = f"/en/directory/{organisation.slug}/logo/"
        assert client.get(url).status_code == 200

        done = client.post(url, {"logo": upload(picture())})

        assert done.status_code == 302
        client.logout()
        page = client.get(f"/en/directory/{organisation.slug}/").content.decode()
        assert f"/en/directory/{organisation.slug}/logo.png?v=" in page
        image = client.get(f"/en/directory/{organisation.slug}/logo.png")
        assert image.status_code == 200
        assert image["Content-Type"] == "image/png"
        assert "public" in image["Cache-Control"]
        assert b"".join(image.streaming_content).startswith(b"\x89PNG")

    def test_a_bad_file_is_shown_on_the_field_with_400(self, client, editor_and_org):
        editor, organisation = editor_and_org
        client.force_login(editor)

        refused = client.post(
            f"/en/directory/{organisation.slug}/logo/", {"logo": upload(SVG, "x.png")}
        )

        assert refused.status_code == 400
        assert 'id="id_logo_error"' in refused.content.decode()

    def test_the_remove_button_removes_it(self, client, editor_and_org):
        editor, organisation = editor_and_org
        services.organisation_set_logo(
            actor=editor, organisation=organisation, upload=upload(picture())
        )
        client.force_login(editor)

        assert (
            client.post(
                f"/en/directory/{organisation.slug}/logo/", {"action": "remove"}
            ).status_code
            == 302
        )
        assert client.get(f"/en/directory/{organisation.slug}/logo.png").status_code == 404

    def test_others_may_not_open_the_form(self, client, editor_and_org):
        _editor, organisation = editor_and_org
        url = f"/en/directory/{organisation.slug}/logo/"
        assert client.get(url).status_code == 302  # to log in
        client.force_login(UserFactory())
        assert client.get(url).status_code == 403


class TestApi:
    def test_upload_replace_and_remove(self, client, editor_and_org):
        editor, organisation = editor_and_org
        url = f"/api/v1/organisations/{organisation.pk}/logo"

        done = client.post(url, {"logo": upload(picture())}, headers=bearer(editor))

        assert done.status_code == 200, done.content
        assert done.json()["logo"] == f"/en/directory/{organisation.slug}/logo.png"
        assert client.get(f"/api/v1/organisations/{organisation.pk}").json()["logo"]
        assert client.delete(url, headers=bearer(editor)).status_code == 204
        assert client.get(f"/api/v1/organisations/{organisation.pk}").json()["logo"] is None

    def test_refusals(self, client, editor_and_org):
        editor, organisation = editor_and_org
        url = f"/api/v1/organisations/{organisation.pk}/logo"
        problem(client.post(url, {"logo": upload(picture())}), 401)
        problem(client.post(url, {"logo": upload(picture())}, headers=bearer(UserFactory())), 403)
        problem(
            client.post(url, {"logo": upload(SVG, "x.png")}, headers=bearer(editor)), 400, "logo"
        )
        body = json.loads(client.get(f"/api/v1/organisations/{organisation.pk}").content)
        assert body["logo"] is None
