// DS-GA 1008 Final 2.2–2.4: KL(p||q) >> KL(q||p) for a bimodal p; the variational lower bound of log p(x) on the ring GMM with
// q = Uniform{1..K} and q = p(z|x, theta) (R = 10 and R = 1, K = 10, 1000 points), and the bounds as K grows.
//
// Run:    dotnet run --project src/Cli -- experiments/dsga1008_final_2_variational_bounds.fsx
// Check:  dotnet run --project src/Cli -- check experiments/dsga1008_final_2_variational_bounds.fsx
//
// The #r below is only for editors; the gendsl host pre-references the DSL (see cse599i_hw1_p7_gmm.fsx).
#if !GENDSL_HOST
#r "../src/Dsl.FSharp/bin/Debug/net10.0/GenDsl.Dsl.dll"
#endif

open GenDsl.Dsl

// 2.2: p = (N(-5, 1) + N(5, 1)) / 2, a Gaussian q fitted by each divergence (1500 gradient steps from N(2, 1)); the
// reverse-KL fit sits on one mode, where KL(q||p) ~ log 2 while KL(p||q) is large.
let kl = Study.klAsymmetry "2.2"

// 2.3–2.4: part 1's ring, mu_k = R (cos 2pi k/K, sin 2pi k/K), Sigma_k = I; R = 10 and R = 1 with K = 10 and n = 1000
// points each; then K = 10, 20, ..., 640 at each radius and with the components kept apart (R = K).
let bounds = Study.variationalBounds "2.3-2.4"

let experiment =
    Experiment.create "dsga1008_final_2_variational_bounds"
    |> Experiment.titled "DS-GA 1008 Final 2.2–2.4 — KL asymmetry and the variational lower bound on the ring GMM"
    |> Experiment.seed 1008UL
    |> Experiment.withStudies [ kl; bounds ]
    |> Experiment.note "2.2: for p bimodal, the Gaussian q that minimises KL(q||p) = E_q[log q - log p] sits on one mode: q is nearly 0 where p's other mode is, and KL(q||p) only averages over where q has mass, so missing a mode costs just log 2 (0.693 in study 2.2's table). The same q has KL(p||q) = E_p[log p - log q] = 24.3, since p puts half its mass where q is nearly 0. Variational inference minimises the reverse direction, KL(q || p(z|x)) = log p(x) - L(q) (2.1): the bound is tighter the less mass q puts where the posterior has little; a q confined to one of M equal, separated modes of the posterior pays about log M (log 2 here), less than a q spread over both modes and the empty space between them (the forward fit's KL(q||p) is 3.71)."
    |> Experiment.note "2.3: with q = p(z|x, theta) the bound is exact: L(posterior) = log p(x) at every point (to 1e-15; KL = 0). With q uniform, L(uniform) = log p(x) - KL(uniform || p(z|x)). At R = 10 the components are 6.2 apart, the posterior is one-hot on the point's own component, and the mean gap is 97.3 +- 0.3 nats, R^2 - log K = 97.7 within its standard error: the uniform q puts 9/10 of its mass on components that cannot have produced x, each costing |mu_j - mu_k|^2 / 2 on average. At R = 1 the components overlap (0.62 apart), the posterior is close to uniform and the gap is 0.59 nats: a uniform q is a fair approximation of a posterior that is itself nearly uniform."
    |> Experiment.note "2.4: E L(uniform) = -log 2pi - 1 - R^2 for every K >= 2 (the uniform average of |x - mu_k|^2 / 2 sees only the radius; every ring's mean is within 1.2 SE of it), so the gap changes with K only through log p(x). At a fixed radius p tends to the continuous ring, whose gap is log I_0(R|x|): at R = 10 the gap falls from 97.3 (K = 10) to 96.99 from K = 40 on (neighbours 1.6 apart), equal to the continuous ring's value there; at R = 1 it stays at 0.59. The gap stays bounded. With the components kept apart (R = K, neighbours about 2 pi apart) the gap is K^2 - log K (409,573 at K = 640): it grows without bound and the uniform bound becomes useless. The posterior bound stays exact for every K; only its cost (a sum over K components per point) grows."
