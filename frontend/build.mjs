// Copies the front-end libraries (installed from the npm registry by `npm ci`) and our own
// frontend/src/*.css|*.js into frontend/build/, which Django serves as STATICFILES_DIRS.
// Plain Node, no bundler: `node frontend/build.mjs`.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const modules = join(root, "node_modules");
const src = join(here, "src");
const out = join(here, "build");

function copy(from, to) {
  if (!existsSync(from)) {
    console.error(`build.mjs: missing ${from}; run \`npm ci\` first`);
    process.exit(1);
  }
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Leaflet: script, stylesheet and marker/layer images (leaflet.css refers to images/ relatively).
const leaflet = join(modules, "leaflet");
for (const name of ["leaflet.js", "leaflet.js.map", "leaflet.css"]) {
  copy(join(leaflet, "dist", name), join(out, "vendor", "leaflet", name));
}
copy(join(leaflet, "dist", "images"), join(out, "vendor", "leaflet", "images"));
copy(join(leaflet, "LICENSE"), join(out, "vendor", "leaflet", "LICENSE"));

// htmx
const htmx = join(modules, "htmx.org");
copy(join(htmx, "dist", "htmx.min.js"), join(out, "vendor", "htmx", "htmx.min.js"));
copy(join(htmx, "LICENSE"), join(out, "vendor", "htmx", "LICENSE"));

// ECharts (statistics dashboard): the minified full build and its licence.
const echarts = join(modules, "echarts");
copy(join(echarts, "dist", "echarts.min.js"), join(out, "vendor", "echarts", "echarts.min.js"));
copy(join(echarts, "LICENSE"), join(out, "vendor", "echarts", "LICENSE"));

// Leaflet-Geoman (free edition): drawing and editing zone polygons and point locations on the risk point
// form. One self-contained browser bundle (expects the global L) and its stylesheet.
const geoman = join(modules, "@geoman-io", "leaflet-geoman-free");
const geomanFiles = ["leaflet-geoman.min.js", "leaflet-geoman.min.js.map", "leaflet-geoman.css", "leaflet-geoman.css.map"];
for (const name of geomanFiles) {
  copy(join(geoman, "dist", name), join(out, "vendor", "leaflet-geoman", name));
}
copy(join(geoman, "LICENSE"), join(out, "vendor", "leaflet-geoman", "LICENSE"));

// Swagger UI (the interactive API docs at /api/v1/docs, served locally: no CDN): the browser bundle, its
// stylesheet and licence files; hazardwatch/api/templates/api/swagger.html loads them.
const swagger = join(modules, "swagger-ui-dist");
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"]) {
  copy(join(swagger, name), join(out, "vendor", "swagger-ui", name));
}

// Our own stylesheet and scripts, at the top of the static namespace ({% static 'app.css' %}).
let own = 0;
for (const name of readdirSync(src)) {
  if (name.endsWith(".css") || name.endsWith(".js")) {
    copy(join(src, name), join(out, name));
    own += 1;
  }
}
console.log(`frontend/build: leaflet, leaflet-geoman, htmx, echarts, swagger-ui and ${own} own file(s) copied`);
