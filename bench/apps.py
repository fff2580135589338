from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks, evaluation and volume seeding: tools beside the product, not part of it.
    Installed so that `manage.py bench`, `evaluate_matching`, `seed_volume` and `bench_ops`
    run; nothing in digest/ or subscriptions/ imports from here."""

    name = "bench"
    verbose_name = "Benchmarks"
