#!/usr/bin/env python3
"""Writes losses.json: reference values and gradients of the SiamSSL losses.

Each loss is written the way solo-learn (solo/losses/*.py) or the official code does it,
in PyTorch float64 from float32 inputs, and differentiated with torch.autograd:

- nt_xent:        solo-learn simclr_loss_func (exp-sim masks, 2N anchors)
- info_nce:       solo-learn moco_loss_func (q, k, queue pre-normalised; queue as [K, D])
- byol:           solo-learn byol_loss_func (2 - 2 cos, mean over batch), target detached
- negative_cosine: solo-learn simsiam_loss_func (-cos, mean over batch), target detached
- barlow_twins:   solo-learn barlow_loss_func (BatchNorm1d(affine=False) in training mode)
- vicreg:         facebookresearch/vicreg main_vicreg.py (std loss averaged over branches)
- mocov3:         facebookresearch/moco-v3 moco/builder.py contrastive_loss (one device)
- dino:           facebookresearch/dino main_dino.py DINOLoss.forward (teacher detached),
                  with the centre after update_center as an extra expected output
- nnclr:          solo-learn nnclr_loss_func (neighbour detached: it comes from the support set)
- swav:           facebookresearch/swav main_swav.py (distributed_sinkhorn on one device, codes of
                  the two global crops, swapped prediction over every other crop), with the codes
                  as extra expected outputs

Run:  python3 make_loss_fixtures.py   (needs torch; writes losses.json beside this file)
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def simclr_loss_func(z1, z2, temperature):
    z = torch.cat((z1, z2))
    n = z1.size(0)
    indexes = torch.arange(n).repeat(2)
    z = F.normalize(z, dim=-1)
    sim = torch.exp(torch.einsum("if, jf -> ij", z, z) / temperature)
    pos_mask = indexes.unsqueeze(0) == indexes.unsqueeze(1)
    pos_mask.fill_diagonal_(False)
    neg_mask = ~(indexes.unsqueeze(0) == indexes.unsqueeze(1))
    pos = torch.sum(sim * pos_mask, 1)
    neg = torch.sum(sim * neg_mask, 1)
    return -torch.mean(torch.log(pos / (pos + neg)))


def moco_loss_func(query, key, queue, temperature):
    # solo-learn keeps the queue as [D, K]; ours is [K, D].
    pos = torch.einsum("nc,nc->n", [query, key.detach()]).unsqueeze(-1)
    neg = torch.einsum("nc,kc->nk", [query, queue.detach()])
    logits = torch.cat([pos, neg], dim=1) / temperature
    targets = torch.zeros(query.size(0), dtype=torch.long)
    return F.cross_entropy(logits, targets)


def byol_loss_func(p, z):
    p = F.normalize(p, dim=-1)
    z = F.normalize(z.detach(), dim=-1)
    return 2 - 2 * (p * z).sum(dim=1).mean()


def simsiam_loss_func(p, z):
    return -F.cosine_similarity(p, z.detach(), dim=-1).mean()


def barlow_loss_func(z1, z2, lamb):
    n, d = z1.size()
    bn = torch.nn.BatchNorm1d(d, affine=False)
    z1, z2 = bn(z1), bn(z2)
    corr = torch.einsum("bi, bj -> ij", z1, z2) / n
    diag = torch.eye(d)
    cdif = (corr - diag).pow(2)
    cdif[~diag.bool()] *= lamb
    return cdif.sum()


def off_diagonal(x):
    n, m = x.shape
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def vicreg_loss(x, y, sim_coeff, std_coeff, cov_coeff):
    n, d = x.shape
    repr_loss = F.mse_loss(x, y)
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    std_x = torch.sqrt(x.var(dim=0) + 0.0001)
    std_y = torch.sqrt(y.var(dim=0) + 0.0001)
    std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
    cov_x = (x.T @ x) / (n - 1)
    cov_y = (y.T @ y) / (n - 1)
    cov_loss = off_diagonal(cov_x).pow(2).sum().div(d) + off_diagonal(cov_y).pow(2).sum().div(d)
    return sim_coeff * repr_loss + std_coeff * std_loss + cov_coeff * cov_loss


def mocov3_contrastive_loss(q, k, temperature):
    q = F.normalize(q, dim=1)
    k = F.normalize(k.detach(), dim=1)
    logits = torch.einsum("nc,mc->nm", [q, k]) / temperature
    labels = torch.arange(logits.shape[0], dtype=torch.long)
    return F.cross_entropy(logits, labels) * (2 * temperature)


def dino_loss(student_output, teacher_output, center, student_temp, teacher_temp, ncrops):
    # DINOLoss.forward: student_output and teacher_output are the views concatenated
    # along the batch axis (global views first).
    student_out = (student_output / student_temp).chunk(ncrops)
    teacher_out = F.softmax((teacher_output - center) / teacher_temp, dim=-1).detach().chunk(2)
    total_loss, n_loss_terms = 0, 0
    for iq, q in enumerate(teacher_out):
        for v in range(len(student_out)):
            if v == iq:
                continue
            total_loss += torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1).mean()
            n_loss_terms += 1
    return total_loss / n_loss_terms


def dino_updated_center(center, teacher_output, momentum):
    batch_center = torch.sum(teacher_output, dim=0, keepdim=True) / len(teacher_output)
    return center * momentum + batch_center * (1 - momentum)


def nnclr_loss_func(nn, p, temperature):
    nn = F.normalize(nn.detach(), dim=-1)
    p = F.normalize(p, dim=-1)
    logits = nn @ p.T / temperature
    labels = torch.arange(p.size(0))
    return F.cross_entropy(logits, labels)


def distributed_sinkhorn(out, epsilon, iterations):
    Q = torch.exp(out / epsilon).t()
    B, K = Q.shape[1], Q.shape[0]
    Q /= torch.sum(Q)
    for _ in range(iterations):
        Q /= torch.sum(Q, dim=1, keepdim=True)
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()


def swav_loss(output, bs, nviews, temperature, epsilon, iterations):
    loss, codes = 0, []
    for crop_id in [0, 1]:
        with torch.no_grad():
            q = distributed_sinkhorn(output[bs * crop_id: bs * (crop_id + 1)].detach(), epsilon, iterations)[-bs:]
            codes.append(q)
        subloss = 0
        for v in [v for v in range(nviews) if v != crop_id]:
            x = output[bs * v: bs * (v + 1)] / temperature
            subloss -= torch.mean(torch.sum(q * F.log_softmax(x, dim=1), dim=1))
        loss += subloss / (nviews - 1)
    return loss / 2, codes


def tensor(shape, generator, scale=1.0):
    # float32-representable values, so Swift reads exactly the inputs used here
    return (torch.randn(*shape, generator=generator, dtype=torch.float32) * scale).to(torch.float64)


def encode(t):
    return {"shape": list(t.shape), "values": [float(v) for v in t.detach().flatten().tolist()]}


def case(name, loss, parameters, inputs, fn):
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    value = fn(**leaves)
    value.backward()
    gradients = {k: (v.grad if v.grad is not None else torch.zeros_like(v)) for k, v in leaves.items()}
    return {
        "name": name, "loss": loss, "parameters": parameters,
        "inputs": {k: encode(v) for k, v in inputs.items()},
        "value": float(value.detach()), "gradients": {k: encode(g) for k, g in gradients.items()},
    }


def main():
    g = torch.Generator().manual_seed(20240611)
    cases = []
    for n, d, tau in [(4, 5, 0.5), (6, 3, 0.1)]:
        z1, z2 = tensor((n, d), g), tensor((n, d), g)
        cases.append(case(f"nt_xent_n{n}_d{d}", "nt_xent", {"temperature": tau}, {"z1": z1, "z2": z2},
                          lambda z1, z2, tau=tau: simclr_loss_func(z1, z2, tau)))
    for n, d, k, tau in [(4, 6, 10, 0.2), (5, 3, 10, 0.07)]:
        q = F.normalize(tensor((n, d), g), dim=-1).float().double()
        key = F.normalize(tensor((n, d), g), dim=-1).float().double()
        queue = F.normalize(tensor((k, d), g), dim=-1).float().double()
        cases.append(case(f"info_nce_n{n}_d{d}_k{k}", "info_nce", {"temperature": tau},
                          {"query": q, "key": key, "queue": queue},
                          lambda query, key, queue, tau=tau: moco_loss_func(query, key, queue, tau)))
    p, z = tensor((5, 4), g), tensor((5, 4), g)
    cases.append(case("byol_n5_d4", "byol", {}, {"prediction": p, "target": z},
                      lambda prediction, target: byol_loss_func(prediction, target)))
    p, z = tensor((6, 3), g), tensor((6, 3), g)
    cases.append(case("negative_cosine_n6_d3", "negative_cosine", {}, {"prediction": p, "target": z},
                      lambda prediction, target: simsiam_loss_func(prediction, target)))
    for n, d, lamb in [(8, 5, 5e-3), (6, 4, 0.5)]:
        z1, z2 = tensor((n, d), g), tensor((n, d), g)
        z2 = (z2 + z1) / 2  # correlated views
        z2 = z2.float().double()
        cases.append(case(f"barlow_twins_n{n}_d{d}", "barlow_twins", {"lambda": lamb}, {"z1": z1, "z2": z2},
                          lambda z1, z2, lamb=lamb: barlow_loss_func(z1, z2, lamb)))
    # column scales straddle 1 so that some variance hinges are active and some are not
    scales = torch.tensor([0.3, 0.6, 0.8, 1.4, 1.8, 2.5])
    for n, d, coefficients in [(8, 6, (25.0, 25.0, 1.0)), (5, 4, (1.0, 2.0, 3.0))]:
        z1 = (tensor((n, d), g) * scales[:d]).float().double()
        z2 = (tensor((n, d), g) * scales[:d]).float().double()
        lam, mu, nu = coefficients
        cases.append(case(f"vicreg_n{n}_d{d}", "vicreg", {"invariance": lam, "variance": mu, "covariance": nu},
                          {"z1": z1, "z2": z2},
                          lambda z1, z2, lam=lam, mu=mu, nu=nu: vicreg_loss(z1, z2, lam, mu, nu)))
    for n, d, tau in [(6, 5, 0.2), (4, 3, 1.0)]:
        q, k = tensor((n, d), g), tensor((n, d), g)
        cases.append(case(f"mocov3_n{n}_d{d}", "mocov3", {"temperature": tau}, {"query": q, "key": k},
                          lambda query, key, tau=tau: mocov3_contrastive_loss(query, key, tau)))
    for n, k, views, t_s, t_t in [(4, 6, 4, 0.1, 0.04), (3, 5, 2, 0.2, 0.07)]:
        inputs = {f"s{v}": tensor((n, k), g, scale=0.5) for v in range(views)}
        inputs["t0"], inputs["t1"] = tensor((n, k), g, scale=0.5), tensor((n, k), g, scale=0.5)
        inputs["center"] = tensor((1, k), g, scale=0.1)

        def fn(t_s=t_s, t_t=t_t, views=views, **x):
            student = torch.cat([x[f"s{v}"] for v in range(views)])
            teacher = torch.cat([x["t0"], x["t1"]])
            return dino_loss(student, teacher.detach(), x["center"].detach(), t_s, t_t, views)

        c = case(f"dino_n{n}_k{k}_v{views}", "dino",
                 {"student_temperature": t_s, "teacher_temperature": t_t, "views": views, "center_momentum": 0.9},
                 inputs, fn)
        updated = dino_updated_center(inputs["center"], torch.cat([inputs["t0"], inputs["t1"]]), 0.9)
        c["expected"] = {"center": encode(updated)}
        cases.append(c)
    for n, d, tau in [(5, 4, 0.1), (3, 6, 0.5)]:
        nn, p = tensor((n, d), g), tensor((n, d), g)
        cases.append(case(f"nnclr_n{n}_d{d}", "nnclr", {"temperature": tau}, {"neighbours": nn, "predictions": p},
                          lambda neighbours, predictions, tau=tau: nnclr_loss_func(neighbours, predictions, tau)))
    for n, k, views, tau, eps in [(4, 6, 4, 0.1, 0.05), (5, 3, 2, 0.2, 0.1)]:
        # cosine scores: in [-1, 1]
        inputs = {f"s{v}": torch.tanh(tensor((n, k), g)).float().double() for v in range(views)}

        def fn(views=views, tau=tau, eps=eps, n=n, **x):
            return swav_loss(torch.cat([x[f"s{v}"] for v in range(views)]), n, views, tau, eps, 3)[0]

        c = case(f"swav_n{n}_k{k}_v{views}", "swav",
                 {"temperature": tau, "epsilon": eps, "iterations": 3, "views": views}, inputs, fn)
        _, codes = swav_loss(torch.cat([inputs[f"s{v}"] for v in range(views)]), n, views, tau, eps, 3)
        c["expected"] = {"codes0": encode(codes[0]), "codes1": encode(codes[1])}
        cases.append(c)
    out = {
        "generator": "make_loss_fixtures.py",
        "torch_version": torch.__version__,
        "dtype": "float64 computation from float32 inputs",
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
    with open(path, "w") as f:
        # one case per line: readable diffs when a case changes
        header = {k: v for k, v in out.items() if k != "cases"}
        f.write(json.dumps(header)[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c) for c in out["cases"]))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
