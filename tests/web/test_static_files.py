"""Static scripts and stylesheets: gzipped for a browser that accepts it, kept for a year,
and a revalidation of the gzipped copy still answers 304."""

import gzip
import os

from flask import current_app

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
HTMX = "/static/vendor/htmx-2.0.11.min.js"


def _file(name):
    with open(os.path.join(current_app.static_folder, name), "rb") as f:
        return f.read()


def test_scripts_and_styles_go_out_gzipped_when_the_browser_accepts_it(client):
    for path, name in (
        (HTMX, "vendor/htmx-2.0.11.min.js"),
        ("/static/vendor/bootstrap-5.3.9.min.css", "vendor/bootstrap-5.3.9.min.css"),
        ("/static/live.js?v=1", "live.js"),
    ):
        response = client.get(path, headers=GZIP)
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
        body = response.get_data()
        assert int(response.headers["Content-Length"]) == len(body) < len(_file(name))
        assert gzip.decompress(body) == _file(name)


def test_without_accept_encoding_the_file_goes_out_as_it_is(client):
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"}):
        response = client.get(HTMX, headers=headers)
        assert response.status_code == 200 and "Content-Encoding" not in response.headers
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.get_data() == _file("vendor/htmx-2.0.11.min.js")
        response.close()


def test_a_revalidation_of_the_gzipped_copy_is_a_304(client):
    first = client.get(HTMX, headers=GZIP)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(HTMX, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""


def test_tiny_files_and_images_are_not_compressed(client):
    for path in ("/static/favicon.svg", "/static/pulse-swagger-init.js"):
        response = client.get(path, headers=GZIP)
        assert response.status_code == 200 and "Content-Encoding" not in response.headers
        response.close()
