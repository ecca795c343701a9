"""The admin's pages in Chromium against a real web process: two admins' open payments
pages, where one's approval removes the row from the other's; /admin/rq/ renders its
queue table signed in through the web session; 403 for a student; axe."""

from playwright.sync_api import expect

from tests import factories
from tests.web.admin_fixture import pending_payments
from tests.web.browser import axe_violations


def test_approving_a_payment_in_one_admin_tab_removes_it_from_another(client, people):
    first, second = pending_payments(client)
    one, two = people.new(), people.new()
    page_one = one.sign_in(factories.admin())
    page_two = two.sign_in(factories.admin())
    for person, page in ((one, page_one), (two, page_two)):
        page.goto("/admin/payments")
        person.wait_live(page)
        expect(page.locator(f'tr[data-payment="{first}"]')).to_have_count(1)
    assert axe_violations(page_one) == []
    row = page_one.locator(f'tr[data-payment="{first}"]')
    row.get_by_label("Note to the student").fill("Matched the bank line.")
    row.get_by_role("button", name="Approve").click()
    expect(page_one.locator(f'tr[data-payment="{first}"]')).to_have_count(0)
    expect(page_two.locator(f'tr[data-payment="{first}"]')).to_have_count(0, timeout=10_000)
    expect(page_two.locator(f'tr[data-payment="{second}"]')).to_have_count(1)
    assert page_two.evaluate("performance.getEntriesByType('navigation').length") == 1  # never reloaded


def test_the_job_queues_render_their_table_for_an_admin_signed_in_on_the_web(people):
    person = people.new()
    page = person.sign_in(factories.admin())
    page.get_by_role("link", name="Job queues").first.click()
    page.wait_for_url("**/admin/rq/**")
    table = page.locator("table#queues")
    expect(table).to_be_visible()
    expect(table.locator("tbody")).not_to_contain_text("Loading", timeout=10_000)
    expect(table.locator("tbody tr").first).to_be_visible()


def test_a_student_cannot_open_the_admin_pages(people):
    person = people.new()
    person.expect_console(r"status of 403")
    page = person.sign_in(factories.student())
    for path in ("/admin", "/admin/payments"):
        assert page.goto(path).status == 403


def test_admin_pages_have_no_serious_accessibility_violation(people):
    mentor = factories.mentor()
    factories.alert(factories.student(mentor))
    person = people.new()
    page = person.wait_live(person.sign_in(factories.admin()))
    assert axe_violations(page) == []
    for path in ("/admin/users", "/admin/users?role=student", "/admin/crisis", "/admin/payments"):
        page.goto(path)
        person.wait_live(page)
        assert axe_violations(page) == [], path
