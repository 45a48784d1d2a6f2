//! What the damped Newton-Raphson solvers of the Pitman and SNB fits share: the limit on step
//! halvings and 2×2 linear algebra.

/// Step halvings allowed per Newton iteration.
pub(super) const MAX_HALVINGS: u32 = 60;

pub(super) fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

pub(super) fn neg(m: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    [[-m[0][0], -m[0][1]], [-m[1][0], -m[1][1]]]
}

pub(super) fn negative_definite(m: [[f64; 2]; 2]) -> bool {
    m[0][0] < 0.0 && m[0][0] * m[1][1] - m[0][1] * m[1][0] > 0.0
}

/// Solves `m·x = b` for a 2×2 `m` by Cramer's rule (non-finite when `m` is singular).
pub(super) fn solve(m: [[f64; 2]; 2], b: [f64; 2]) -> [f64; 2] {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    [
        (b[0] * m[1][1] - m[0][1] * b[1]) / det,
        (m[0][0] * b[1] - m[1][0] * b[0]) / det,
    ]
}
