use leptos::prelude::*;

use super::Step;

/// The wizard's progress: done steps ticked, the current one marked `aria-current="step"`.
///
/// With `focus`, the current step takes keyboard focus once shown (after moving between steps),
/// so Tab continues into the new step instead of from the top of the page.
#[component]
pub fn Stepper(current: Step, #[prop(optional)] focus: bool) -> impl IntoView {
    let current_ref = NodeRef::<leptos::html::Li>::new();
    Effect::new(move |_| {
        if let Some(li) = current_ref.get().filter(|_| focus) {
            let _ = li.focus();
        }
    });
    let total = Step::ALL.len();

    view! {
        <nav aria-label="Setup steps" class="mb-6">
            <ol class="flex flex-wrap items-center gap-x-3 gap-y-2 text-sm">
                {Step::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(index, step)| {
                        let number = index + 1;
                        let separator = (index > 0)
                            .then(|| view! { <span aria-hidden="true" class="h-px w-8 bg-slate-300 sm:w-12"></span> });
                        let title = format!("Step {number} of {total}: {}", step.label());
                        if step == current {
                            view! {
                                <li
                                    node_ref=current_ref
                                    tabindex="-1"
                                    aria-current="step"
                                    title=title
                                    class="flex items-center gap-2 rounded focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
                                >
                                    {separator}
                                    <span class="flex h-7 w-7 items-center justify-center rounded-full bg-indigo-600 text-xs font-semibold text-white">
                                        {number}
                                    </span>
                                    <span class="font-semibold text-indigo-700">{step.label()}</span>
                                </li>
                            }
                                .into_any()
                        } else if step < current {
                            view! {
                                <li class="flex items-center gap-2" title=title>
                                    {separator}
                                    <span class="flex h-7 w-7 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700">
                                        <span aria-hidden="true">"✓"</span>
                                    </span>
                                    <span class="text-slate-700">
                                        {step.label()}
                                        <span class="sr-only">" (done)"</span>
                                    </span>
                                </li>
                            }
                                .into_any()
                        } else {
                            view! {
                                <li class="flex items-center gap-2" title=title>
                                    {separator}
                                    <span class="flex h-7 w-7 items-center justify-center rounded-full border border-slate-300 bg-white text-xs font-semibold text-slate-500">
                                        {number}
                                    </span>
                                    <span class="text-slate-500">{step.label()}</span>
                                </li>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}
