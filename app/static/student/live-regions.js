// The student's pages: every element with data-live-on="event other:event" refreshes from
// its data-live-src when one of those Socket.IO events arrives (live.js refreshes it on
// every connect too). Elements with data-notice-on="event" are shown (un-hidden) when the
// event arrives: a notice such as "this course changed", without moving the reader's focus.
// An element with data-announcement-course="<id>" shows that course's announcements
// (course:updated with change "announcement"): the title and the message, as text.
const Live = window.Live;

for (const el of document.querySelectorAll("[data-live-on]")) {
  for (const event of el.dataset.liveOn.split(/\s+/).filter(Boolean)) {
    Live.on(event, () => Live.refresh(el));
  }
}

for (const el of document.querySelectorAll("[data-notice-on]")) {
  for (const event of el.dataset.noticeOn.split(/\s+/).filter(Boolean)) {
    Live.on(event, (payload) => {
      const wanted = el.dataset.noticeCourse;
      if (wanted && payload && String(payload.course_id) !== wanted) return;
      el.hidden = false;
      Live.announce(el.textContent.trim());
    });
  }
}

for (const el of document.querySelectorAll("[data-announcement-course]")) {
  Live.on("course:updated", (payload) => {
    if (!payload || payload.change !== "announcement" || String(payload.course_id) !== el.dataset.announcementCourse) return;
    const { title = "", body = "" } = payload.announcement || {};
    el.querySelector('[data-part="title"]').textContent = title;
    el.querySelector('[data-part="body"]').textContent = body;
    el.hidden = false;
    Live.announce(`Announcement: ${title}`);
  });
}
