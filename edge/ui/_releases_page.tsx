/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Private: what the edge publishes, from its repository view (signed metadata): the current
 * release per app and ref, and the OS images per device type, newest version first.
 */
import { compare, valid } from "semver";
import type { ImageEntry, RepoView } from "../repo_view.ts";
import { ago, bytes, shortCommit, utc } from "./_format.ts";
import { Layout } from "./_layout.tsx";

/** What {@linkcode ReleasesPage} takes. */
export interface ReleasesPageProps {
  view: RepoView;
  now: number;
  csrf: string;
}

const byVersion = (a: ImageEntry, b: ImageEntry) =>
  valid(a.version) && valid(b.version) ? compare(b.version, a.version) : b.version < a.version ? -1 : 1;

function Apps(props: { view: RepoView; now: number }) {
  const rows = Object.entries(props.view.releases).sort(([a], [b]) => a < b ? -1 : 1)
    .flatMap(([name, refs]) => Object.entries(refs).map(([ref, entry]) => ({ name, ref, entry })));
  return (
    <section class="card" aria-labelledby="apps-h">
      <h2 id="apps-h">Apps</h2>
      {rows.length === 0 ? <p class="muted">No app is published.</p> : (
        <div class="scroll">
          <table aria-labelledby="apps-h">
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Ref</th>
                <th scope="col">Commit</th>
                <th scope="col">Version</th>
                <th scope="col" class="num">Serial</th>
                <th scope="col" class="num">Size</th>
                <th scope="col">Published</th>
                <th scope="col">Devices</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ name, ref, entry }) => {
                const updated = new Date(entry.updated);
                return (
                  <tr>
                    <th scope="row">{name}</th>
                    <td>{ref}</td>
                    <td class="mono">{shortCommit(entry.commit)}</td>
                    <td>{entry.version ?? <span class="muted">—</span>}</td>
                    <td class="num">{entry.serial}</td>
                    <td class="num">{bytes(entry.size)}</td>
                    <td>
                      <time datetime={entry.updated}>{utc(updated)}</time>{" "}
                      <span class="muted small">({ago(updated, props.now)})</span>
                    </td>
                    <td>
                      <a href={`/ui/devices?${new URLSearchParams({ app: name, commit: entry.commit })}`}>
                        Devices running it
                      </a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Images(props: { view: RepoView }) {
  const types = [...props.view.images.keys()].sort();
  const known = new Map(props.view.deviceTypes.list().map((t) => [t.slug, t]));
  return (
    <section class="card" aria-labelledby="images-h">
      <h2 id="images-h">OS images</h2>
      {types.length === 0 ? <p class="muted">No OS image is published.</p> : null}
      {types.map((slug, i) => {
        const type = known.get(slug);
        const aliases = type?.aliases ?? [];
        return (
          <div>
            <h3 id={`type-${i}`}>
              {type?.name ?? slug} <span class="muted mono small">{slug}</span>
              {aliases.length > 0 ? <span class="muted small">{` (also ${aliases.join(", ")})`}</span> : null}
            </h3>
            <div class="scroll">
              <table aria-labelledby={`type-${i}`}>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Variant</th>
                    <th scope="col">Channel</th>
                    <th scope="col" class="num">Size</th>
                    <th scope="col">SHA-256</th>
                  </tr>
                </thead>
                <tbody>
                  {[...(props.view.images.get(slug) ?? [])].sort(byVersion).map((image) => (
                    <tr>
                      <th scope="row">{image.version}</th>
                      <td>{image.variant}</td>
                      <td>
                        {image.recommended ? <span class="badge r-ok">recommended</span> : null}
                        {image.prerelease ? <span class="badge s-pending">pre-release</span> : null}
                      </td>
                      <td class="num">{bytes(image.target.length)}</td>
                      <td class="mono small">{(image.target.hashes.sha256 ?? "").slice(0, 16)}…</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
    </section>
  );
}

/** The releases page. */
export function ReleasesPage(props: ReleasesPageProps) {
  const { view } = props;
  return (
    <Layout title="Releases" section="releases" csrf={props.csrf}>
      <h1>Releases</h1>
      <p class="muted small">
        Signed metadata: targets v{view.versions.targets}, snapshot v{view.versions.snapshot}, timestamp v
        {view.versions.timestamp}
        {view.timestampExpires ? `, timestamp expires ${utc(view.timestampExpires)}` : ""}.
      </p>
      <Apps view={view} now={props.now} />
      <Images view={view} />
    </Layout>
  );
}
