//! `report.html`: one self-contained page with the figures drawn as inline SVG (plotters):
//! resolve rate per agent, tokens or cost against resolve rate, a histogram of steps, and
//! the task × agent matrix.

use plotters::prelude::*;

use crate::suite::report::{AgentSummary, summarize};
use crate::suite::{Row, report_md};

type Plot = Result<String, String>;

pub fn report_html(rows: &[Row]) -> String {
    let summaries = summarize(rows);
    let mut page = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>wright eval report</title><style>\
         body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}\
         td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}td.yes{background:#c8efc8}\
         td.false{background:#f6c3c3}td.no{background:#eee}figure{display:inline-block;margin:0 1em 1em 0}\
         </style></head><body>\n<h1>wright eval report</h1>\n",
    );
    page.push_str(&format!("<p>{} trials by {} agents.</p>\n", rows.len(), summaries.len()));
    for (title, plot) in [
        ("Resolve rate", resolve_rate(&summaries)),
        ("Spend against resolve rate", spend(&summaries)),
        ("Steps per trial", steps(rows, &summaries)),
    ] {
        page.push_str("<figure>");
        match plot {
            Ok(svg) => page.push_str(&svg),
            Err(e) => page.push_str(&format!("<p>{title}: not drawn ({})</p>", escape(&e))),
        }
        page.push_str("</figure>\n");
    }
    page.push_str(&matrix(rows, &summaries));
    page.push_str("<h2>Tables</h2>\n<pre>");
    page.push_str(&escape(&report_md(rows)));
    page.push_str("</pre>\n</body></html>\n");
    page
}

fn label(agent: &str) -> String {
    let short: String = agent.chars().take(22).collect();
    if short.len() < agent.len() { format!("{short}…") } else { short }
}

fn resolve_rate(summaries: &[AgentSummary]) -> Plot {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let names: Vec<String> = summaries.iter().map(|s| label(&s.agent)).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption("Resolve rate per agent", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d((0..summaries.len()).into_segmented(), 0.0..100.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc("% of tasks resolved")
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(RGBColor(70, 130, 180).filled())
                    .margin(16)
                    .data(summaries.iter().enumerate().map(|(i, s)| (i, s.all.rate() * 100.0))),
            )
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Cost when every agent was priced, else tokens: what each agent spent for what it resolved.
fn spend(summaries: &[AgentSummary]) -> Plot {
    let priced = !summaries.is_empty() && summaries.iter().all(|s| s.cost_usd.is_some());
    let points: Vec<(f64, f64, String)> = summaries
        .iter()
        .map(|s| {
            let x = match (priced, s.cost_usd) {
                (true, Some(c)) => c,
                _ => s.prompt_tokens.saturating_add(s.completion_tokens) as f64 / 1000.0,
            };
            (x, s.all.rate() * 100.0, label(&s.agent))
        })
        .collect();
    let max_x = points.iter().map(|p| p.0).fold(0.0, f64::max).max(1e-6) * 1.25;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                if priced { "Cost against resolve rate" } else { "Tokens against resolve rate" },
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(0.0..max_x, 0.0..100.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(if priced { "cost (USD)" } else { "tokens (thousands)" })
            .y_desc("% resolved")
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(points.iter().map(|(x, y, name)| {
                EmptyElement::at((*x, *y))
                    + Circle::new((0, 0), 5, RGBColor(200, 80, 60).filled())
                    + Text::new(name.clone(), (8, -6), ("sans-serif", 12))
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// How many trials took how many steps, one colour per agent side by side.
fn steps(rows: &[Row], summaries: &[AgentSummary]) -> Plot {
    let max_steps = rows.iter().filter_map(|r| r.trial.steps).max().unwrap_or(1).max(1);
    let bins = 10u64.min(max_steps);
    let width = max_steps.div_ceil(bins).max(1);
    let agents = summaries.len().max(1);
    let mut counts = vec![vec![0u32; bins as usize + 1]; agents];
    for r in rows {
        let (Some(a), Some(s)) = (summaries.iter().position(|s| s.agent == r.agent), r.trial.steps) else { continue };
        let bin = usize::try_from(s / width).unwrap_or(0).min(bins as usize);
        if let Some(c) = counts.get_mut(a).and_then(|c| c.get_mut(bin)) {
            *c += 1;
        }
    }
    let top = counts.iter().flatten().copied().max().unwrap_or(1).max(1);
    let palette = [RGBColor(70, 130, 180), RGBColor(200, 80, 60), RGBColor(90, 160, 90), RGBColor(150, 100, 180)];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let slots = (bins as usize + 1) * agents;
        let mut chart = ChartBuilder::on(&root)
            .caption("Steps per trial", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(40)
            .build_cartesian_2d(0.0..slots as f64, 0.0..f64::from(top) * 1.2)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(format!("steps (bins of {width})"))
            .y_desc("trials")
            .x_label_formatter(&|x| format!("{}", (*x as u64 / agents as u64) * width))
            .draw()
            .map_err(|e| e.to_string())?;
        for (a, agent_counts) in counts.iter().enumerate() {
            let colour = palette[a % palette.len()];
            chart
                .draw_series(agent_counts.iter().enumerate().map(|(bin, n)| {
                    let x = (bin * agents + a) as f64;
                    Rectangle::new([(x + 0.1, 0.0), (x + 0.9, f64::from(*n))], colour.filled())
                }))
                .map_err(|e| e.to_string())?
                .label(summaries.get(a).map(|s| label(&s.agent)).unwrap_or_default())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Tasks down, agents across: resolved, not resolved, or claimed fixed but not.
fn matrix(rows: &[Row], summaries: &[AgentSummary]) -> String {
    let mut tasks: Vec<&str> = rows.iter().map(|r| r.task.as_str()).collect();
    tasks.sort_unstable();
    tasks.dedup();
    let mut out = String::from("<h2>Task × agent</h2>\n<table><tr><th>task</th>");
    for s in summaries {
        out.push_str(&format!("<th title=\"{}\">{}</th>", escape(&s.agent), escape(&label(&s.agent))));
    }
    out.push_str("</tr>\n");
    for task in tasks {
        out.push_str(&format!("<tr><td>{}</td>", escape(task)));
        for s in summaries {
            match rows.iter().find(|r| r.task == task && r.agent == s.agent && r.model == s.model) {
                None => out.push_str("<td></td>"),
                Some(r) => {
                    let (class, word) = match (r.resolved, r.trial.claimed_fixed) {
                        (true, _) => ("yes", "resolved"),
                        (false, true) => ("false", "claimed, not resolved"),
                        (false, false) => ("no", "not resolved"),
                    };
                    // What the prompt cost: processed tokens take time on CPU, cached ones none.
                    let prompt = match (r.trial.processed_prompt_tokens, r.trial.cached_prompt_tokens) {
                        (Some(p), Some(c)) => format!("<br><small>prompt: {p} processed, {c} cached</small>"),
                        _ => String::new(),
                    };
                    out.push_str(&format!(
                        "<td class=\"{class}\" title=\"{}\">{word}{prompt}</td>",
                        escape(&format!("{} · {}", r.trial.stop_reason, r.check))
                    ));
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::report::tests::row;

    #[test]
    fn the_page_holds_every_plot_and_the_matrix_escaped() {
        let rows = vec![
            row("t1", "wright", "python", true, true, "finished"),
            row("t2", "wright", "go", false, true, "finished"),
            row("t1", "cmd:<script>", "python", false, false, "exit 1"),
        ];
        let page = report_html(&rows);
        assert_eq!(page.matches("<svg").count(), 3, "three inline plots");
        assert!(!page.contains("not drawn"), "{page}");
        assert!(page.contains("Resolve rate per agent") && page.contains("Tokens against resolve rate"));
        assert!(page.contains("claimed, not resolved") && page.contains("cmd:&lt;script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(report_html(&[]).contains("0 trials"), "an empty run still renders");
        let mut cached = row("t3", "wright", "python", true, true, "finished");
        (cached.trial.processed_prompt_tokens, cached.trial.cached_prompt_tokens) = (Some(40), Some(960));
        let page = report_html(&[cached]);
        assert!(page.contains("resolved<br><small>prompt: 40 processed, 960 cached</small></td>"), "{page}");
    }
}
