//! `--jobs N`: the dataset's batches spread over N workers, their outcomes handed back in
//! dataset order.
//!
//! The dataset is read on the calling thread. Batch `k` goes to worker `k mod N` (batches are
//! the same size, so round robin balances them) and its outcome is taken back from that worker
//! in the same order, so the caller sees exactly the sequence one worker would give. At most
//! two batches per worker are in flight: memory does not grow with the dataset.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::dataset::{Batch, Dataset};
use crate::error::EvalError;
use crate::worker::{BatchOutcome, Worker};

/// Batches in flight per worker.
const IN_FLIGHT_PER_WORKER: usize = 2;

/// Streams `dataset` in batches of `batch_size` through `workers`, and calls `absorb` with each
/// batch and its outcome in dataset order.
///
/// # Errors
/// The first error in dataset order, from a worker or from `absorb`, or the dataset's.
pub(crate) fn run(
    workers: &mut [Worker<'_>],
    dataset: &mut Dataset,
    batch_size: usize,
    absorb: &mut dyn FnMut(&Batch, BatchOutcome) -> Result<(), EvalError>,
) -> Result<(), EvalError> {
    if let [worker] = workers {
        return dataset.stream(batch_size, &mut |batch| {
            let outcome = worker.process(&batch)?;
            absorb(&batch, outcome)
        });
    }
    let count = workers.len();
    std::thread::scope(|scope| {
        let mut jobs: Vec<SyncSender<Arc<Batch>>> = Vec::with_capacity(count);
        let mut results: Vec<Receiver<Result<BatchOutcome, EvalError>>> = Vec::with_capacity(count);
        for worker in workers.iter_mut() {
            let (job_tx, job_rx) = sync_channel::<Arc<Batch>>(IN_FLIGHT_PER_WORKER);
            let (result_tx, result_rx) = sync_channel(IN_FLIGHT_PER_WORKER + 1);
            scope.spawn(move || {
                for batch in job_rx {
                    let outcome = worker.process(&batch);
                    let failed = outcome.is_err();
                    if result_tx.send(outcome).is_err() || failed {
                        break;
                    }
                }
            });
            jobs.push(job_tx);
            results.push(result_rx);
        }
        let mut pending: VecDeque<(usize, Arc<Batch>)> = VecDeque::new();
        let mut next = 0usize;
        let mut take_oldest = |pending: &mut VecDeque<(usize, Arc<Batch>)>| {
            let Some((worker, batch)) = pending.pop_front() else {
                return Ok(());
            };
            let outcome = results[worker].recv().map_err(|_| {
                EvalError::dataset(
                    dataset_label(&batch),
                    "internal: an evaluation worker stopped without an answer",
                )
            })??;
            absorb(&batch, outcome)
        };
        let streamed = dataset.stream(batch_size, &mut |batch| {
            let batch = Arc::new(batch);
            let worker = next % count;
            next += 1;
            pending.push_back((worker, Arc::clone(&batch)));
            if jobs[worker].send(batch).is_err() {
                // The worker stopped after an error: hand back everything up to it, in order.
                while !pending.is_empty() {
                    take_oldest(&mut pending)?;
                }
                return Err(EvalError::dataset(
                    "",
                    "internal: an evaluation worker stopped",
                ));
            }
            while pending.len() >= count * IN_FLIGHT_PER_WORKER {
                take_oldest(&mut pending)?;
            }
            Ok(())
        });
        // Closing the job queues ends the workers once they are done.
        drop(jobs);
        streamed?;
        while !pending.is_empty() {
            take_oldest(&mut pending)?;
        }
        Ok(())
    })
}

/// A name for a batch in an internal error: its first sample.
fn dataset_label(batch: &Batch) -> String {
    batch.first().map_or_else(String::new, |s| s.id.clone())
}
