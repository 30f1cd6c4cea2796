"""A prediction's lineage as a tree for the terminal: prediction → deployment → build → model →
MLflow run → training data, one line per link, and what could not be followed.

Why a tree: each link hangs off the one before it, which is how people read a chain of custody.
"""

from __future__ import annotations

from rich.markup import escape
from rich.tree import Tree

from workspace.schemas import PredictionLineage

PARAMS_SHOWN = 20


def lineage_tree(lineage: PredictionLineage) -> Tree:
    p, d, b, m = lineage.prediction, lineage.deployment, lineage.build, lineage.model
    status = f", HTTP {p.status_code}" if p.status_code is not None else ""
    root = Tree(f"[bold]prediction[/] {escape(p.uuid)}  ({p.served_at.isoformat()}{status})")
    deployment = root.add(
        f"[bold]deployment[/] {d.id}  {d.status}  in project {escape(lineage.project.name)}"
    )
    build = deployment.add(
        f"[bold]build[/] {b.id}  ({b.kind})  files sha256 {b.files_sha256 or '-'}"
    )
    if b.kind == "registry":
        alias = f" (@{escape(b.alias)})" if b.alias else ""
        build.add(
            f"[bold]registered model[/] {escape(b.registered_model or '')} v{b.version}{alias}"
        )
    else:
        build.add(
            f"[bold]entry point[/] {escape(b.file_path or '')}:{escape(b.function_name or '')}"
        )
    model = build.add(f"[bold]model[/] {escape(m.name)}  ({m.id})")
    if lineage.run is not None:
        r = lineage.run
        name = f" {escape(r.run_name)}" if r.run_name else ""
        run = model.add(f"[bold]MLflow run[/] {r.run_id}{name}  experiment {r.experiment_id}")
        if r.url:
            run.add(escape(r.url))
        params = sorted(r.params.items())
        if params:
            shown = ", ".join(f"{escape(k)}={escape(v)}" for k, v in params[:PARAMS_SHOWN])
            more = f" (+{len(params) - PARAMS_SHOWN} more)" if len(params) > PARAMS_SHOWN else ""
            run.add(f"[bold]parameters[/] {shown}{more}")
        if lineage.training_data is not None:
            t = lineage.training_data
            rows = f", {t.row_count:,} rows" if t.row_count is not None else ""
            when = f", committed {t.committed_at.isoformat()}" if t.committed_at else ""
            run.add(f"[bold]trained on[/] {escape(t.table)} snapshot {t.snapshot_id}{rows}{when}")
    for gap in lineage.gaps:
        root.add(f"[yellow]missing:[/] {escape(gap)}")
    return root
