//! Limits a run may not pass: steps, tokens, money, wall time.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use wright_llm::Usage;

use crate::StopReason;

/// Prices in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

impl Price {
    pub fn cost(&self, usage: &Usage) -> f64 {
        (usage.prompt_tokens as f64 * self.input + usage.completion_tokens as f64 * self.output) / 1_000_000.0
    }
}

#[derive(Debug, Clone, Default)]
pub struct Budgets {
    pub max_steps: u32,
    pub token_budget: Option<u64>,
    pub budget_usd: Option<f64>,
    pub timeout: Option<Duration>,
    /// The model's price, when configured; required for `budget_usd`.
    pub price: Option<Price>,
}

impl Budgets {
    /// The first budget that is spent, with a sentence saying so.
    pub fn exceeded(&self, steps: u32, usage: &Usage, elapsed: Duration) -> Option<(StopReason, String)> {
        if steps >= self.max_steps {
            return Some((StopReason::MaxSteps, format!("reached the step limit ({})", self.max_steps)));
        }
        if let Some(limit) = self.token_budget.filter(|l| usage.total_tokens >= *l) {
            return Some((
                StopReason::TokenBudget,
                format!("used {} tokens of a {limit} token budget", usage.total_tokens),
            ));
        }
        if let (Some(limit), Some(price)) = (self.budget_usd, self.price) {
            let cost = price.cost(usage);
            if cost >= limit {
                return Some((StopReason::CostBudget, format!("spent ${cost:.4} of a ${limit:.2} budget")));
            }
        }
        if let Some(limit) = self.timeout.filter(|l| elapsed >= *l) {
            return Some((
                StopReason::Timeout,
                format!("ran for {} s, past the {} s timeout", elapsed.as_secs(), limit.as_secs()),
            ));
        }
        None
    }

    /// Whether what is left would carry a fresh attempt: `steps` more steps and `seconds`
    /// more time, and a tenth of any token or money budget.
    pub fn room_for(&self, more_steps: u32, more_time: Duration, spent: (u32, &Usage, Duration)) -> bool {
        let (steps, usage, elapsed) = spent;
        let tenth_left = |used: f64, limit: f64| used <= limit * 0.9;
        steps.saturating_add(more_steps) <= self.max_steps
            && self.timeout.is_none_or(|t| elapsed.saturating_add(more_time) <= t)
            && self.token_budget.is_none_or(|l| tenth_left(usage.total_tokens as f64, l as f64))
            && match (self.budget_usd, self.price) {
                (Some(limit), Some(price)) => tenth_left(price.cost(usage), limit),
                _ => true,
            }
    }

    pub fn cost(&self, usage: &Usage) -> Option<f64> {
        self.price.map(|p| p.cost(usage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_stop_in_order() {
        let b = Budgets {
            max_steps: 10,
            token_budget: Some(1000),
            budget_usd: Some(0.01),
            timeout: Some(Duration::from_secs(60)),
            price: Some(Price { input: 1.0, output: 4.0 }),
        };
        let small = Usage { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, ..Usage::default() };
        assert!(b.exceeded(3, &small, Duration::from_secs(1)).is_none());
        assert_eq!(b.exceeded(10, &small, Duration::ZERO).unwrap().0, StopReason::MaxSteps);
        let (four, minute) = (4, Duration::from_secs(60));
        assert!(
            !b.room_for(four, minute, (3, &small, Duration::from_secs(1))),
            "$0.0001 of $0.01 is fine, but 60 s of 60 s is not"
        );
        let roomy = Budgets { timeout: Some(Duration::from_secs(240)), ..b.clone() };
        assert!(roomy.room_for(four, minute, (6, &small, Duration::from_secs(180))));
        assert!(!roomy.room_for(four, minute, (7, &small, Duration::from_secs(1))), "7 + 4 steps pass 10");
        assert!(!roomy.room_for(four, minute, (6, &small, Duration::from_secs(181))));
        let spent = Usage { total_tokens: 901, ..small };
        assert!(!roomy.room_for(four, minute, (1, &spent, Duration::ZERO)), "less than a tenth of the tokens left");
        let big = Usage { prompt_tokens: 900, completion_tokens: 200, total_tokens: 1100, ..Usage::default() };
        assert_eq!(b.exceeded(1, &big, Duration::ZERO).unwrap().0, StopReason::TokenBudget);
        let pricey = Usage { prompt_tokens: 500, completion_tokens: 2400, total_tokens: 900, ..Usage::default() };
        assert_eq!(b.exceeded(1, &pricey, Duration::ZERO).unwrap().0, StopReason::CostBudget);
        assert_eq!(b.exceeded(1, &small, Duration::from_secs(61)).unwrap().0, StopReason::Timeout);
    }
}
