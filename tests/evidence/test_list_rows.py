"""The rows of the evidence lists (evidence/templatetags/evidence_rows.py): their thumbnails, status badges and
labels, and the review queue's cost, which must not grow with its rows."""

from __future__ import annotations

import datetime

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.template import Context, Template, engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from civunit.accounts.roles import Role
from evidence import selectors
from evidence.models import EvidenceItem, EvidenceKind, StoredFile
from tests.evidence.review_factories import make_item, make_stored_file
from tests.factories import CriterionFactory, OfficeFactory, UserFactory
from tests.tasks.factories import TaskFactory

ROW = Template(
    "{% load evidence_rows %}{% evidence_thumb item %}|{% evidence_status item %}"
    "|{{ item|category_label }}|{{ item|kind_label }}"
)


def row(item) -> str:
    with translation.override("zh-hans"):
        return ROW.render(Context({"item": item}))


def test_a_row_shows_its_thumbnail_status_and_labels(cast, campaign):
    item = make_item(campaign=campaign, uploader=cast.staff_a, title='<照片> & "标题"')
    html = row(item)
    thumb = reverse("evidence:preview", args=[item.pk, "thumbnail"])
    assert html.startswith(f'<img src="{thumb}" alt="&lt;照片&gt; &amp; &quot;标题&quot;" class="evidence-thumb"')
    assert '<span class="badge status status-pending" data-status="pending">待审核</span>' in html
    with translation.override("zh-hans"):
        assert html.endswith(f"|{item.get_category_display()}|{item.get_kind_display()}")


def test_a_row_without_a_thumbnail_says_why(cast, campaign):
    stored = make_stored_file(with_previews=False)
    item = make_item(campaign=campaign, uploader=cast.staff_a, stored_file=stored, status=EvidenceItem.Status.ACCEPTED)
    for status in (StoredFile.PreviewStatus.FAILED, StoredFile.PreviewStatus.PENDING):
        StoredFile.objects.filter(pk=stored.pk).update(preview_status=status)
        item.refresh_from_db()
        with translation.override("zh-hans"):
            expected = str(StoredFile.PreviewStatus(status).label)
        assert f">{expected}</span>" in row(item) and "<img" not in row(item)
    StoredFile.objects.filter(pk=stored.pk).update(preview_status=StoredFile.PreviewStatus.NONE)
    item.refresh_from_db()
    with translation.override("zh-hans"):
        assert f'text-muted">{EvidenceKind.PHOTO.label}</span>' in row(item)
    assert 'data-status="accepted"' in row(item)


def test_a_value_outside_the_choices_shows_itself(cast, campaign):
    item = make_item(campaign=campaign, uploader=cast.staff_a)
    item.category = "old_category"
    assert "|old_category|" in row(item)


def test_the_review_queue_costs_the_same_for_3_and_30_items(cast, campaign, login, django_assert_num_queries):
    client = login(cast.head_a)
    for _ in range(3):
        make_item(campaign=campaign, uploader=cast.staff_a)
    client.get(reverse("evidence:review"))  # warm-up
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("evidence:review")).status_code == 200
    for _ in range(27):
        make_item(campaign=campaign, uploader=cast.staff_a, stored_file=make_stored_file(with_previews=False))
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(reverse("evidence:review")).content.decode()
    assert body.count('data-testid="accept"') == 30
    assert body.count(f'name="next" value="{reverse("evidence:review")}"') == 60


def test_a_rows_url_is_what_reverse_writes_under_any_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    from evidence.templatetags.evidence_rows import item_url

    before = get_script_prefix()
    try:
        for prefix in ("/", "/civunit/"):
            set_script_prefix(prefix)
            for pk in (1, 7, 2**40):
                assert item_url("evidence:accept", pk) == reverse("evidence:accept", args=[pk])
                assert item_url("evidence:preview", pk, "thumbnail") == reverse(
                    "evidence:preview", args=[pk, "thumbnail"]
                )
                assert item_url("evidence:preview", pk, "screen") == reverse("evidence:preview", args=[pk, "screen"])
        assert reverse("evidence:accept", args=[7]).startswith("/civunit/")
    finally:
        set_script_prefix(before)


# evidence/_table.html as the template language wrote its rows before evidence_table_rows(): what the tag must
# write byte for byte.
OLD_TABLE = """{% load i18n evidence_rows %}<div class="table-responsive"><table class="table table-sm bg-white align-middle table-stack" data-testid="evidence-table">
  <thead class="table-light"><tr><th></th><th>{% translate "Title" %}</th><th class="d-none d-md-table-cell">{% translate "Archive number" %}</th><th class="d-none d-md-table-cell">{% translate "Category" %}</th><th class="d-none d-md-table-cell">{% translate "Office" %}</th><th class="d-none d-sm-table-cell">{% translate "Date" %}</th><th>{% translate "Status" %}</th></tr></thead>
  <tbody>{% for item in page %}
    <tr data-evidence="{{ item.pk }}">
      <td class="col-thumb">{% evidence_thumb item %}</td>
      <td><a href="{% item_url 'evidence:detail' item.pk %}">{{ item.title }}</a><div class="small text-muted">{{ item|kind_label }}{% if item.stored_file %} · {{ item.stored_file.size|filesizeformat }}{% endif %}{% if item.primary_standard %} · {{ item.primary_standard.code }}{% endif %}</div><div class="small text-muted d-md-none">{{ item.archive_number }} {{ item.office.name }}</div></td>
      <td class="small text-nowrap d-none d-md-table-cell">{{ item.archive_number|default:"—" }}</td>
      <td class="small d-none d-md-table-cell">{{ item|category_label }}</td>
      <td class="small d-none d-md-table-cell">{{ item.office.name }}<div class="text-muted">{{ item.uploader.display_name }}</div></td>
      <td class="small text-nowrap d-none d-sm-table-cell" data-label="{% translate 'Date' %}">{{ item.taken_on|date:"Y-m-d"|default:"—" }}</td>
      <td>{% evidence_status item %}</td>
    </tr>
  {% empty %}<tr><td colspan="7" class="text-center text-muted py-4"><i class="bi bi-folder2-open d-block fs-3 mb-1" aria-hidden="true"></i>{% translate "No evidence yet." %} {% translate "Upload photos, minutes and sign-in sheets under the standards they prove." %}</td></tr>{% endfor %}</tbody>
</table></div>
{% if page.paginator.num_pages > 1 %}
<nav aria-label="{% translate 'Pages' %}"><ul class="pagination pagination-sm">
  {% if page.has_previous %}<li class="page-item"><a class="page-link" href="{% querystring page=page.previous_page_number %}">{% translate "Previous" %}</a></li>{% endif %}
  <li class="page-item disabled"><span class="page-link">{% blocktranslate with n=page.number total=page.paginator.num_pages %}Page {{ n }} of {{ total }}{% endblocktranslate %}</span></li>
  {% if page.has_next %}<li class="page-item"><a class="page-link" href="{% querystring page=page.next_page_number %}">{% translate "Next" %}</a></li>{% endif %}
</ul></nav>
{% endif %}
"""  # noqa: E501

# (short enough for every column it is written into: PostgreSQL enforces the lengths, SQLite does not)
HOSTILE = "<script>alert(1)</script> & \"引号\" '单' &amp;"


def _hostile_rows(cast, campaign):
    """Items of every shape a row shows: hostile text everywhere it is written, a thumbnail, a failed and a pending
    preview, no file (a link), with and without a date, an archive number, a primary standard; every status."""
    office = OfficeFactory(name=f"{HOSTILE}办公室")
    uploader = UserFactory(username="hostile", real_name=f"{HOSTILE}用户", office=office, roles=[Role.STAFF])
    standard = CriterionFactory(campaign=campaign, code="1.<b>&\"'<i>&amp;")
    statuses = list(EvidenceItem.Status)
    items = []
    for n in range(12):
        stored = make_stored_file(with_previews=n % 4 == 0)
        if n % 4 == 1:
            stored.preview_status = StoredFile.PreviewStatus.FAILED
        elif n % 4 == 2:
            stored.preview_status = StoredFile.PreviewStatus.PENDING
        stored.size = 10**n + n
        stored.save()
        item = make_item(
            campaign=campaign,
            uploader=uploader if n % 2 else cast.staff_a,
            office=office if n % 3 else None,
            stored_file=stored,
            standards=[standard] if n % 2 == 0 else (),
            status=statuses[n % len(statuses)],
            title=f"{HOSTILE} {n}",
            category=("photo", "meeting", "old & <category>")[n % 3],
            kind=list(EvidenceKind)[n % len(EvidenceKind)],
            archive_number=f'A&<{n}>"' if n % 3 == 0 else "",
            taken_on=datetime.date(2026, 3, n + 1) if n % 2 else None,
        )
        items.append(item)
    link = items[-1]
    EvidenceItem.objects.filter(pk=link.pk).update(stored_file=None, url="https://example.org/?a=1&b=<2>")
    return items


def _render_both(user, page, path="/evidence/?q=%3Cx%3E&page=2"):
    request = RequestFactory().get(path)
    request.user = user
    engine = engines["django"]
    new = engine.get_template("evidence/_table.html").render({"page": page}, request)
    old = engine.from_string(OLD_TABLE).render({"page": page}, request)
    return old, new


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_table_rows_are_what_the_template_wrote_byte_for_byte(cast, campaign, language):
    _hostile_rows(cast, campaign)
    for size in (50, 5):  # one page; several (the pager under the table)
        for number in (1, 2, 3):
            with translation.override(language):
                rows = selectors.visible_items(cast.coordinator)
                page = Paginator(rows, size).get_page(number)
                old, new = _render_both(cast.coordinator, page)
            assert new == old
            assert new.count("<tr data-evidence=") == len(page.object_list) > 0
            assert "<script>" not in new and "&lt;script&gt;" in new
    assert "&amp;amp;" in new and "&#x27;单&#x27;" in new and "&quot;引号&quot;" in new


def test_an_empty_table_is_what_the_template_wrote(cast, campaign):
    with translation.override("zh-hans"):
        old, new = _render_both(cast.staff_a, Paginator(EvidenceItem.objects.none(), 50).get_page(1))
    assert new == old and 'colspan="7"' in new


@pytest.mark.parametrize("view", ["evidence:browse", "evidence:mine", "evidence:standard", "evidence:task"])
def test_every_list_of_items_writes_its_rows(cast, campaign, login, view):
    """The pages that include evidence/_table.html (the recycle bin and the review queue have their own rows)."""
    standard = CriterionFactory(campaign=campaign, code="7.1", is_leaf=True)
    task = TaskFactory(campaign=campaign, lead_office=cast.office_a)
    item = make_item(campaign=campaign, uploader=cast.staff_a, standards=[standard], tasks=[task], title=HOSTILE)
    args = {"evidence:standard": [standard.pk], "evidence:task": [task.pk]}.get(view, [])
    response = login(cast.staff_a).get(reverse(view, args=args))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<tr data-evidence="{item.pk}">' in body
    assert f'<a href="{reverse("evidence:detail", args=[item.pk])}">{escape(HOSTILE)}</a>' in body
    assert "<script>alert" not in body


# The rows of evidence/review_queue.html as the template language wrote them before review_queue_rows(): what the
# tag must write byte for byte.
OLD_QUEUE_ROWS = """{% load i18n evidence_rows %}{% translate "Category" as t_category %}{% translate "Office" as t_office %}{% translate "Uploaded" as t_uploaded %}{% translate "Accept" as t_accept %}{% translate "Reason for returning" as t_reason %}{% translate "Return" as t_return %}{% with here=request.get_full_path %}{% for item in page %}
    <tr data-evidence="{{ item.pk }}" data-title="{{ item.title }}">
      <td class="col-check"><input type="checkbox" class="form-check-input" name="items" value="{{ item.pk }}" form="bulk-form" aria-label="{{ item.title }}"></td>
      <td class="col-thumb">{% evidence_thumb item %}</td>
      <td><a href="{% item_url 'evidence:versions' item.pk %}">{{ item.title }}</a>{% if item.version > 1 %} <span class="badge text-bg-info">{% blocktranslate with n=item.version %}version {{ n }}{% endblocktranslate %}</span>{% endif %}
        <div class="small text-muted">{{ item.caption|truncatechars:80 }}</div></td>
      <td class="small" data-label="{{ t_category }}">{{ item|category_label }}</td>
      <td class="small" data-label="{{ t_office }}">{{ item.office.name }} <span class="text-muted">{{ item.uploader.display_name }}</span></td>
      <td class="small text-nowrap" data-label="{{ t_uploaded }}">{{ item.created_at|date:"Y-m-d H:i" }}</td>
      <td class="text-nowrap stack-actions">
        <form method="post" action="{% item_url 'evidence:accept' item.pk %}" class="d-inline">{% csrf_token %}<input type="hidden" name="next" value="{{ here }}"><button class="btn btn-sm btn-success" type="submit" data-testid="accept"><i class="bi bi-check-lg me-1" aria-hidden="true"></i>{{ t_accept }}</button></form>
        <form method="post" action="{% item_url 'evidence:return' item.pk %}" class="d-inline-flex gap-1">{% csrf_token %}<input type="hidden" name="next" value="{{ here }}">
          <input type="text" name="reason" class="form-control form-control-sm w-12rem" maxlength="2000" required placeholder="{{ t_reason }}" aria-label="{{ t_reason }}" data-testid="return-reason">
          <button class="btn btn-sm btn-outline-danger" type="submit" data-testid="return">{{ t_return }}</button></form>
      </td>
    </tr>
  {% endfor %}{% endwith %}"""  # noqa: E501


def _render_queue_both(user, page, path="/evidence/review/?q=%3Cx%3E&a=1&b=%22", **extra):
    request = RequestFactory().get(path)
    request.user = user
    engine = engines["django"]
    new = engine.from_string("{% load evidence_rows %}{% review_queue_rows page %}").render(
        {"page": page, **extra}, request
    )
    old = engine.from_string(OLD_QUEUE_ROWS).render({"page": page, **extra}, request)
    return old, new


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_review_queue_rows_are_what_the_template_wrote_byte_for_byte(cast, campaign, language):
    items = _hostile_rows(cast, campaign)
    EvidenceItem.objects.filter(pk__in=[i.pk for i in items[::2]]).update(caption=HOSTILE * 5, version=3)
    EvidenceItem.objects.filter(pk=items[1].pk).update(caption=f"短{HOSTILE}", version=2)
    for size in (50, 5):
        for number in (1, 2, 3):
            with translation.override(language):
                page = Paginator(
                    EvidenceItem.objects.order_by("pk").select_related("office", "uploader", "stored_file"), size
                ).get_page(number)
                # One token for both renders ({% csrf_token %} writes the context's), hostile to show it is escaped.
                old, new = _render_queue_both(cast.coordinator, page, csrf_token='t<&>"k')
            assert new == old
            assert new.count("<tr data-evidence=") == len(page.object_list) > 0
            assert new.count('name="csrfmiddlewaretoken" value="t&lt;&amp;&gt;&quot;k"') == 2 * len(page.object_list)
            assert "<script>" not in new and "&lt;script&gt;" in new
    assert 'value="/evidence/review/?q=%3Cx%3E&amp;a=1&amp;b=%22"' in new and "badge text-bg-info" in new


def test_the_review_queue_rows_take_the_requests_token(cast, campaign):
    """With the token of the csrf context processor (masked afresh by each render): the same rows but for it, and
    one token for all the rows' forms; none without a token, as {% csrf_token %} writes."""
    import re

    _hostile_rows(cast, campaign)
    with translation.override("zh-hans"):
        page = Paginator(EvidenceItem.objects.order_by("pk"), 50).get_page(1)
        old, new = _render_queue_both(cast.coordinator, page)
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', new)
        assert len(tokens) == 2 * len(page.object_list) and len(set(tokens)) == 1
        blank = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')
        assert blank.sub(r"\1", new) == blank.sub(r"\1", old)
        old, new = _render_queue_both(cast.coordinator, page, csrf_token="")
        assert new == old and "csrfmiddlewaretoken" not in new
