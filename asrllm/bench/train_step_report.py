"""The training-step benchmark's result (asrllm.bench.train_step.run) as a table for the terminal."""


def fmt(v, spec: str = ".3f") -> str:
    if v is None:
        return "-"
    return format(v, spec) if isinstance(v, float) else str(v)


def human(n: int) -> str:
    for scale, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if n >= scale:
            return f"{n / scale:.{3 if scale == 1e9 else 2}f}{unit}"
    return str(n)


def table(r: dict) -> str:
    p = r["params"]
    st = r["step_time_s"]
    rows = [
        ("status", r["status"] + (f" ({r['error']})" if r["error"] else "")),
        ("stage / objective", f"{r['stage']} / {r['objective']}"),
        ("device", f"{r['device']} ({r['device_name']})"),
        ("torch / transformers / CUDA", f"{r['torch_version']} / {r['transformers_version']} / {r['cuda_version']}"),
        ("amp / LLM weights dtype", f"{r['amp']} / {r['llm_param_dtype'] or '-'}"),
        ("batch", f"{r['batch_size']} x {r['utt_seconds']:g} s ({r['frames_per_utt']} frames), "
                  f"{r['tokens_per_utt']} tokens/utt"),
        ("params total", human(p["total"])),
        ("  encoder / ctc_heads / aed_decoder / adapter / llm",
         " / ".join(human(p[k]) for k in ("encoder", "ctc_heads", "aed_decoder", "adapter", "llm"))),
        ("  trainable", f"{human(p['trainable'])}  ({', '.join(r['trainable_prefixes'])})"),
        ("step time mean / min (s)", f"{fmt(st['mean'])} / {fmt(st['min'])}  ({r['timed_steps']} timed, "
                                     f"{r['warmup_steps']} warmup)"),
        ("audio seconds / s", fmt(r["audio_seconds_per_s"], ".1f")),
        ("LLM tokens / s (all positions)", fmt(r["llm_tokens_per_s"], ".0f")),
        ("  transcript tokens / s", fmt(r["target_tokens_per_s"], ".0f")),
        ("peak GPU memory allocated / reserved (GiB)",
         f"{fmt(r['peak_memory_gib'], '.2f')} / {fmt(r['peak_reserved_gib'], '.2f')} of "
         f"{fmt(r['gpu_memory_gib'], '.1f')}"),
        ("loss first / last", f"{fmt(r['loss_first'], '.4g')} / {fmt(r['loss_last'], '.4g')}"),
        ("model build (s)", fmt(r["build_s"], ".1f")),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
