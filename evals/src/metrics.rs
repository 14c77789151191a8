//! Accuracy at k and mean reciprocal rank over ranks (1-based; `None` = not found).

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub n: usize,
    pub acc1: f64,
    pub acc3: f64,
    pub acc5: f64,
    pub acc10: f64,
    pub mrr: f64,
}

pub fn summarize(ranks: &[Option<usize>]) -> Summary {
    let n = ranks.len();
    if n == 0 {
        return Summary::default();
    }
    let at = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n as f64;
    let mrr = ranks.iter().map(|r| r.map(|r| 1.0 / r as f64).unwrap_or(0.0)).sum::<f64>() / n as f64;
    Summary { n, acc1: at(1), acc3: at(3), acc5: at(5), acc10: at(10), mrr }
}

/// Share of `true` among the known values.
pub fn share(values: &[Option<bool>]) -> (usize, f64) {
    let known: Vec<bool> = values.iter().flatten().copied().collect();
    let n = known.len();
    (n, if n == 0 { 0.0 } else { known.iter().filter(|v| **v).count() as f64 / n as f64 })
}
