"""What every layer stands on: settings, logging, resource paths, files written safely, bounded JSON, child
processes, the one-instance lock and the background job's progress and cancellation."""
