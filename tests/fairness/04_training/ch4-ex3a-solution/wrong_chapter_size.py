# wrong: the chapter's MLPVAE (k = 20, 400 hidden units): 652,824 parameters, over the budget
def vae_design():
    return {"model": "MLPVAE", "latent_dim": 20, "hidden_dim": 400}
